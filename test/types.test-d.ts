/**
 * Type-level tests: a wrong event for an actor must not compile. `npm run typecheck`
 * (part of `npm test`) fails if any `@ts-expect-error` below stops being an error.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { createNode, type Node } from '../index.ts';
import { account, transfer, bankActors } from '../examples/bank/actors.ts';

declare const node: Node<typeof bankActors>;

describe('typed sends', () => {
  it('accepts the events the machine declares', async () => {
    await node.send(account.ref('alice'), { type: 'DEPOSIT', amount: 10 });
    await node.send(transfer.ref('t1'), { type: 'START', from: 'a', to: 'b', amount: 1 });
  });

  it('rejects an unknown event type', async () => {
    // @ts-expect-error 'DEPOSITT' is not an account event
    await node.send(account.ref('alice'), { type: 'DEPOSITT', amount: 10 });
  });

  it('rejects a wrong payload', async () => {
    // @ts-expect-error amount must be a number
    await node.send(account.ref('alice'), { type: 'DEPOSIT', amount: '10' });
  });

  it('rejects an event of another actor type', async () => {
    // @ts-expect-error START belongs to transfer
    await node.send(account.ref('alice'), { type: 'START', from: 'a', to: 'b', amount: 1 });
  });

  it('types the bus by actor and event', () => {
    node.bus.subscribe('account.DEPOSIT', (e) => {
      expectTypeOf(e.event.amount).toEqualTypeOf<number>();
    });
    node.bus.subscribe('account.*', (e) => {
      expectTypeOf(e.event.type).toEqualTypeOf<'DEPOSIT' | 'WITHDRAW' | 'DEBIT' | 'BALANCE'>();
    });
  });

  it('types ask events like sends', async () => {
    const answer = await node.ask(account.ref('alice'), { type: 'BALANCE' });
    expectTypeOf(answer).toBeUnknown();
    // @ts-expect-error BALANC is not an account event
    await node.ask(account.ref('alice'), { type: 'BALANC' });
  });

  it('createNode keeps the actor list', () => {
    expectTypeOf(createNode({ actors: bankActors })).resolves.toEqualTypeOf<Node<typeof bankActors>>();
  });
});

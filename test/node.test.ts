/**
 * A node through the public entry: typed errors for bad input, dead letters with reasons
 * for what fails after acceptance, virtual actors (passivation and restore), and durable
 * XState delays that survive passivation and crashes.
 */
import { assign, setup } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createNode,
  defineActor,
  HandlerFailedError,
  OversizeError,
  RejectedEventError,
  UnknownActorTypeError,
  encodeEnvelope,
  partitionOf,
  type Node,
} from '../index.ts';
import { createSimulation } from '../testing/index.ts';
import { account, bankActors } from '../examples/bank/actors.ts';
import { alarm, counter } from './fixtures/actors.ts';

const fragile = defineActor(
  'fragile',
  setup({ types: { context: {} as { ok: number }, events: {} as { type: 'OK' } | { type: 'BOOM' } } }).createMachine({
    context: { ok: 0 },
    on: {
      OK: { actions: assign({ ok: ({ context }) => context.ok + 1 }) },
      BOOM: {
        actions: () => {
          throw new Error('boom');
        },
      },
    },
  }),
);

let node: Node<readonly [typeof account, typeof fragile]> | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

describe('bad input', () => {
  it('is a typed caller error before anything is accepted', async () => {
    node = await createNode({ actors: [account, fragile] as const, maxPayloadBytes: 256 });
    await expect(node.send({ type: 'acount', id: 'a' } as never, { type: 'DEPOSIT' } as never)).rejects.toBeInstanceOf(UnknownActorTypeError);
    await expect(node.send({ type: 'acount', id: 'a' } as never, { type: 'DEPOSIT' } as never)).rejects.toThrow("unknown actor type: 'acount'");
    await expect(node.send(account.ref('a'), { type: 'NOPE' } as never)).rejects.toBeInstanceOf(RejectedEventError);
    const big = { type: 'DEPOSIT' as const, amount: 1, note: 'x'.repeat(1000) };
    await expect(node.send(account.ref('a'), big)).rejects.toBeInstanceOf(OversizeError);
    expect(await node.deadLetters()).toEqual([]);
  });

  it('a handler that throws on every attempt is dead-lettered with the reason; the ask fails; the actor goes on', async () => {
    node = await createNode({ actors: [account, fragile] as const });
    await node.send(fragile.ref('f'), { type: 'OK' });
    await expect(node.ask(fragile.ref('f'), { type: 'BOOM' })).rejects.toBeInstanceOf(HandlerFailedError);
    const view = (await node.ask(fragile.ref('f'), { type: 'OK' })) as { context: { ok: number } };
    expect(view.context.ok).toBe(2);
    const letters = await node.deadLetters();
    expect(letters.map((l) => [l.reason, l.envelope?.type])).toEqual([['handler-failed', 'BOOM']]);
    expect(letters[0]!.error).toMatch(/boom/);
  });
});

describe('what fails after acceptance goes to dead letters', () => {
  it('malformed bytes, an unknown actor type and a clock too far ahead each land there with their reason', async () => {
    const sim = await createSimulation({ actors: bankActors, seed: 7, nodes: 2, partitions: 2, maxSkewMs: 0 });
    const log = (await sim.cluster.transport().connect(sim.cluster.nodeInfo('raw'))).log;
    const envelope = (over: object) => ({
      id: `raw-${Math.random()}`, type: 'DEPOSIT', to: { type: 'account', id: 'a' }, from: 'client/raw/1', seq: 1,
      hlc: '018bcfe5683e0000raw', payload: { type: 'DEPOSIT', amount: 1 }, timings: { sent: 0 }, ...over,
    });
    const garbage = new Uint8Array([1, 0xc1, 0xff, 0x00]);
    await sim.cluster.scheduler.drive(log.append(0, envelope({}) as never, garbage));
    const ghost = envelope({ to: { type: 'ghost', id: 'g' } });
    await sim.cluster.scheduler.drive(log.append(0, ghost as never, encodeEnvelope(ghost as never)));
    const ahead = envelope({ hlc: `${(sim.cluster.scheduler.now() + 60_000).toString(16).padStart(12, '0')}0000raw`, seq: 2 });
    await sim.cluster.scheduler.drive(log.append(0, ahead as never, encodeEnvelope(ahead as never)));
    void sim.send('n1', account.ref('a'), { type: 'DEPOSIT', amount: 5 });
    await sim.settle();
    expect(sim.cluster.deadLetters.list().map((l) => l.reason).sort()).toEqual(['clock-ahead', 'malformed', 'unknown-actor-type']);
    expect(await sim.ask(account.ref('a'), { type: 'BALANCE' })).toBe(5); // the node kept serving
    await sim.stop();
  });
});

describe('virtual actors', () => {
  it('passivate when idle and come back from their snapshot', async () => {
    const sim = await createSimulation({ actors: [counter], seed: 3, nodes: 1, partitions: 1 });
    for (let i = 1; i <= 3; i++) void sim.send('n1', counter.ref('c'), { type: 'ADD', amount: i, sender: 's', n: i });
    await sim.run(100);
    expect(sim.node('n1')!.stats().activeActors).toBe(1);
    await sim.run(6_000); // idleMs is 5000 in the simulation
    expect(sim.node('n1')!.stats().activeActors).toBe(0);
    const state = (await sim.ask(counter.ref('c'), { type: 'GET' })) as { sum: number; count: number };
    expect(state).toMatchObject({ sum: 6, count: 3 });
    await sim.stop();
  });
});

describe('durable delays', () => {
  it('an XState `after` longer than the idle time fires once, after passivation and a crash of the owner', async () => {
    const sim = await createSimulation({ actors: [alarm], seed: 11, nodes: 2, partitions: 4 });
    for (const id of ['x', 'y', 'z']) void sim.send('n1', alarm.ref(id), { type: 'ARM' });
    await sim.run(6_000); // passivated (idle 5 s) with the 8 s delay pending
    expect(sim.nodeIds.reduce((n, id) => n + sim.node(id)!.stats().activeActors, 0)).toBe(0);
    const owners = new Set(['x', 'y', 'z'].map((id) => sim.cluster.ownership.ownerOf(partitionOf(alarm.ref(id), 4))));
    for (const id of owners) if (id !== undefined) sim.crash(id);
    await sim.settle();
    for (const id of ['x', 'y', 'z']) {
      expect(await sim.ask(alarm.ref(id), { type: 'GET' })).toMatchObject({ armed: 1, fired: 1 });
    }
    await sim.stop();
  });
});

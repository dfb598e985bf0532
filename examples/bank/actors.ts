/**
 * The bank: accounts and transfers as XState machines. A transfer is a small saga: it asks
 * the source account to debit (the answer comes back as an event, durably), then credits the
 * target. Money is conserved whatever crashes, because every step is applied exactly once.
 */
import { assign, setup } from 'xstate';
import { askActor, defineActor, reply, sendTo } from '../../index.ts';

export type AccountEvent =
  | { type: 'DEPOSIT'; amount: number }
  | { type: 'WITHDRAW'; amount: number }
  | { type: 'DEBIT'; amount: number; transfer: string }
  | { type: 'BALANCE' };

export const accountMachine = setup({
  types: {
    context: {} as { balance: number; deposits: number },
    events: {} as AccountEvent,
  },
  guards: {
    covered: ({ context, event }) => 'amount' in event && context.balance >= event.amount,
  },
}).createMachine({
  id: 'account',
  context: { balance: 0, deposits: 0 },
  on: {
    DEPOSIT: {
      actions: assign(({ context, event }) => ({ balance: context.balance + event.amount, deposits: context.deposits + 1 })),
    },
    WITHDRAW: {
      guard: 'covered',
      actions: assign({ balance: ({ context, event }) => context.balance - event.amount }),
    },
    DEBIT: [
      {
        guard: 'covered',
        actions: [assign({ balance: ({ context, event }) => context.balance - event.amount }), reply({ ok: true })],
      },
      { actions: reply({ ok: false }) },
    ],
    BALANCE: { actions: reply(({ context }) => context.balance) },
  },
});

export const account = defineActor('account', accountMachine);

export type TransferEvent =
  | { type: 'START'; from: string; to: string; amount: number }
  | { type: 'DEBITED'; value: { ok: boolean } };

export const transferMachine = setup({
  types: {
    context: {} as { id: string; from: string; to: string; amount: number },
    events: {} as TransferEvent,
    input: {} as { id: string },
  },
}).createMachine({
  id: 'transfer',
  context: ({ input }) => ({ id: input.id, from: '', to: '', amount: 0 }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        START: {
          target: 'debiting',
          actions: [
            assign(({ event }) => ({ from: event.from, to: event.to, amount: event.amount })),
            askActor(
              ({ event }: { event: { from: string; amount: number } }) => account.ref(event.from),
              ({ event, context }: { event: { amount: number }; context: { id: string } }) => ({ type: 'DEBIT' as const, amount: event.amount, transfer: context.id }),
              { replyAs: 'DEBITED' },
            ),
          ],
        },
      },
    },
    debiting: {
      on: {
        DEBITED: [
          {
            guard: ({ event }) => event.value.ok,
            target: 'completed',
            actions: sendTo(
              ({ context }: { context: { to: string } }) => account.ref(context.to),
              ({ context }: { context: { amount: number } }) => ({ type: 'DEPOSIT' as const, amount: context.amount }),
            ),
          },
          { target: 'rejected' },
        ],
      },
    },
    completed: { type: 'final' },
    rejected: { type: 'final' },
  },
});

export const transfer = defineActor('transfer', transferMachine);

export const bankActors = [account, transfer] as const;

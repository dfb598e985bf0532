/**
 * Savina "counting": a producer sends `n` increments to a counter in one go, then asks for
 * the total; the counter answers, and the producer reports it (checked to equal `n`).
 */
import { assign, setup } from 'xstate';
import type { Address, EventObject } from '../../index.ts';
import { SINK, type Post } from './post.ts';
import { sinkMachine, type Workload } from './workload.ts';

const PRODUCER: Address = { type: 'producer', id: 'producer' };
const COUNTER: Address = { type: 'counter', id: 'counter' };

export function counting(n: number): Workload {
  return {
    name: 'counting',
    describe: `1 producer → 1 counter, ${n} increments in one turn, then a total`,
    machines: (post: Post) => ({
      producer: setup({
        types: { events: {} as { type: 'START'; n: number } | { type: 'RESULT'; count: number } },
      }).createMachine({
        on: {
          START: {
            actions: (args) => {
              for (let i = 0; i < args.event.n; i++) post(args, COUNTER, { type: 'INC' });
              post(args, COUNTER, { type: 'GET' });
            },
          },
          RESULT: { actions: (args) => post(args, SINK, { type: 'DONE', count: args.event.count }) },
        },
      }),
      counter: setup({
        types: { context: {} as { count: number }, events: {} as { type: 'INC' } | { type: 'GET' } },
      }).createMachine({
        context: { count: 0 },
        on: {
          INC: { actions: assign({ count: ({ context }) => context.count + 1 }) },
          GET: { actions: (args) => post(args, PRODUCER, { type: 'RESULT', count: args.context.count }) },
        },
      }),
      sink: sinkMachine,
    }),
    kicks: [{ to: PRODUCER, event: { type: 'START', n } }],
    done: { topic: 'sink.DONE', count: 1 },
    messages: n + 4,
    check(events: readonly EventObject[]) {
      const count = (events[0] as { count?: number } | undefined)?.count;
      if (count !== n) throw new Error(`counting: the counter saw ${count} increments, expected ${n}`);
    },
  };
}

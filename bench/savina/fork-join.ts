/**
 * Savina "fork-join (actor creation)": one message each to `n` new actors, which do a small
 * computation. Measures how fast actors come to life.
 */
import { assign, setup } from 'xstate';
import type { Post } from './post.ts';
import { indexOf, type Workload } from './workload.ts';

export function forkJoin(n: number): Workload {
  return {
    name: 'fork-join',
    describe: `${n} new actors, one message each`,
    machines: (_post: Post) => ({
      fj: setup({
        types: { context: {} as { index: number; result: number }, events: {} as { type: 'GO' }, input: {} as { id: string } },
      }).createMachine({
        context: ({ input }) => ({ index: indexOf(input.id), result: 0 }),
        on: { GO: { actions: assign({ result: ({ context }) => Math.sin(context.index) * Math.cos(context.index) }) } },
      }),
    }),
    kicks: Array.from({ length: n }, (_, i) => ({ to: { type: 'fj', id: `f${i}` }, event: { type: 'GO' } })),
    done: { topic: 'fj.GO', count: n },
    messages: n,
  };
}

/**
 * Savina "big": `n` workers each ping a random other worker and wait for its pong, `pings`
 * times, then report. Many actors busy at once: this one measures concurrency.
 */
import { assign, setup } from 'xstate';
import type { Address } from '../../index.ts';
import { SINK, type Post } from './post.ts';
import { indexOf, sinkMachine, type Workload } from './workload.ts';

type WorkerEvent = { type: 'START'; n: number; pings: number } | { type: 'PING'; from: number } | { type: 'PONG' };
interface WorkerContext {
  index: number;
  n: number;
  remaining: number;
  seed: number;
}

const worker = (i: number): Address => ({ type: 'worker', id: `w${i}` });

/** A seeded LCG step, so both runners pick the same partners. */
const next = (seed: number) => (seed * 48271) % 0x7fffffff;
function partner(c: WorkerContext): Address {
  const other = next(c.seed) % (c.n - 1);
  return worker(other >= c.index ? other + 1 : other);
}

export function big(n: number, pings: number): Workload {
  return {
    name: 'big',
    describe: `${n} workers × ${pings} ping/pong each`,
    machines: (post: Post) => ({
      worker: setup({
        types: { context: {} as WorkerContext, events: {} as WorkerEvent, input: {} as { id: string } },
      }).createMachine({
        context: ({ input }) => ({ index: indexOf(input.id), n: 0, remaining: 0, seed: indexOf(input.id) + 1 }),
        on: {
          START: {
            actions: [
              assign({ n: ({ event }) => event.n, remaining: ({ event }) => event.pings }),
              (args) => post(args, partner({ ...args.context, n: args.event.n }), { type: 'PING', from: args.context.index }),
              assign({ seed: ({ context }) => next(context.seed) }),
            ],
          },
          PING: { actions: (args) => post(args, worker(args.event.from), { type: 'PONG' }) },
          PONG: [
            {
              guard: ({ context }) => context.remaining > 1,
              actions: [
                (args) => post(args, partner(args.context), { type: 'PING', from: args.context.index }),
                assign({ remaining: ({ context }) => context.remaining - 1, seed: ({ context }) => next(context.seed) }),
              ],
            },
            { actions: [assign({ remaining: 0 }), (args) => post(args, SINK, { type: 'DONE' })] },
          ],
        },
      }),
      sink: sinkMachine,
    }),
    kicks: Array.from({ length: n }, (_, i) => ({ to: worker(i), event: { type: 'START', n, pings } })),
    done: { topic: 'sink.DONE', count: n },
    messages: 2 * n * pings + 2 * n,
  };
}

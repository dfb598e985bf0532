/**
 * Savina "ping-pong": two actors bounce a message `n` times. Purely sequential: every hop
 * waits for the previous one, so this measures one event's whole way through the runtime.
 */
import { assign, setup } from 'xstate';
import type { Address } from '../../index.ts';
import { SINK, type Post } from './post.ts';
import { sinkMachine, type Workload } from './workload.ts';

const PING: Address = { type: 'ping', id: 'ping' };
const PONG: Address = { type: 'pong', id: 'pong' };

export function pingPong(n: number): Workload {
  return {
    name: 'ping-pong',
    describe: `2 actors, ${n} round trips`,
    machines: (post: Post) => ({
      ping: setup({
        types: { context: {} as { remaining: number }, events: {} as { type: 'START'; n: number } | { type: 'PONG' } },
      }).createMachine({
        context: { remaining: 0 },
        on: {
          START: { actions: [assign({ remaining: ({ event }) => event.n }), (args) => post(args, PONG, { type: 'PING' })] },
          PONG: [
            {
              guard: ({ context }) => context.remaining > 1,
              actions: [assign({ remaining: ({ context }) => context.remaining - 1 }), (args) => post(args, PONG, { type: 'PING' })],
            },
            { actions: [assign({ remaining: 0 }), (args) => post(args, SINK, { type: 'DONE' })] },
          ],
        },
      }),
      pong: setup({ types: { events: {} as { type: 'PING' } } }).createMachine({
        on: { PING: { actions: (args) => post(args, PING, { type: 'PONG' }) } },
      }),
      sink: sinkMachine,
    }),
    kicks: [{ to: PING, event: { type: 'START', n } }],
    done: { topic: 'sink.DONE', count: 1 },
    messages: 2 * n + 2,
  };
}

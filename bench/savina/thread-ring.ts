/**
 * Savina "thread ring": `size` actors in a ring pass one token `hops` times. Sequential
 * like ping-pong, but every hop lands on another actor, and the first lap activates them all.
 */
import { setup } from 'xstate';
import type { Address } from '../../index.ts';
import { SINK, type Post } from './post.ts';
import { indexOf, sinkMachine, type Workload } from './workload.ts';

type Token = { type: 'TOKEN'; hops: number; size: number };

const member = (i: number): Address => ({ type: 'ring', id: `r${i}` });

export function threadRing(size: number, hops: number, label: string): Workload {
  return {
    name: `thread-ring/${label}`,
    describe: `${size} actors, ${hops} hops`,
    machines: (post: Post) => ({
      ring: setup({
        types: { context: {} as { index: number }, events: {} as Token, input: {} as { id: string } },
      }).createMachine({
        context: ({ input }) => ({ index: indexOf(input.id) }),
        on: {
          TOKEN: {
            actions: (args) => {
              const { hops: left, size: n } = args.event;
              if (left > 0) post(args, member((args.context.index + 1) % n), { type: 'TOKEN', hops: left - 1, size: n });
              else post(args, SINK, { type: 'DONE' });
            },
          },
        },
      }),
      sink: sinkMachine,
    }),
    kicks: [{ to: member(0), event: { type: 'TOKEN', hops, size } }],
    done: { topic: 'sink.DONE', count: 1 },
    messages: hops + 2,
  };
}

/**
 * A Savina workload, described once for both runners: the machines (built against a
 * `Post`), the client sends that start it, what marks it finished, and how many events it
 * processes in total (the numerator of msgs/s, the same for both runners).
 */
import { assign, setup, type AnyStateMachine } from 'xstate';
import type { Address, EventObject } from '../../index.ts';
import type { AnyEvent, Post } from './post.ts';

export interface Workload {
  /** Row id and label, e.g. `thread-ring/1k`. */
  readonly name: string;
  readonly describe: string;
  machines(post: Post): Record<string, AnyStateMachine>;
  readonly kicks: ReadonlyArray<{ readonly to: Address; readonly event: AnyEvent }>;
  /** Finished once this many events of `topic` (`<type>.<event>`) are processed. */
  readonly done: { readonly topic: string; readonly count: number };
  /** Events processed in all, kicks and reports included. */
  readonly messages: number;
  /** Throws unless the events the sink received say the run was correct. */
  check?(sinkEvents: readonly EventObject[]): void;
}

/** Counts what it receives; the runner watches its events. */
export const sinkMachine = setup({
  types: { context: {} as { received: number }, events: {} as EventObject },
}).createMachine({
  context: { received: 0 },
  on: { DONE: { actions: assign({ received: ({ context }) => context.received + 1 }) } },
});

/** `r17` → 17. */
export function indexOf(id: string): number {
  return Number(id.slice(1));
}

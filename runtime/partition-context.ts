/**
 * What a partition needs from its node. The node implements it; partitions never see the
 * node itself, which keeps the import graph a tree.
 */
import type { Emitted, Work } from './cell-types.ts';
import type { Inspector } from './inspection.ts';
import type { ResolvedNodeOptions } from './options.ts';
import type {
  Address,
  Behavior,
  Clock,
  DeadLetter,
  DeadLetterReason,
  Delivery,
  DurableTimer,
  Envelope,
  Timers,
  TransportSession,
} from './types.ts';

/** A delivery turned into work for a mailbox, or the reason it cannot be. */
export type Inbound =
  | { readonly ok: true; readonly work: Work; readonly behavior: Behavior }
  | { readonly ok: false; readonly reason: DeadLetterReason; readonly error: unknown; readonly envelope?: Envelope };

export interface PartitionContext {
  readonly nodeId: string;
  readonly options: ResolvedNodeOptions;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly session: TransportSession;
  readonly inspect: Inspector | undefined;
  /** Decodes, merges the HLC, and resolves the actor type: the inbound half of `route()`. */
  inbound(delivery: Delivery): Inbound;
  /** The node's last HLC stamp, encoded. */
  hlcNow(): string;
  /** Merges a stamp an actor's record carries, so its next emissions come after it. */
  hlcObserve(stamp: string): void;
  /** Appends an event an actor emitted; retries until accepted unless `alive()` turns false. */
  emit(from: Address, emitted: Emitted, cause: Envelope, alive: () => boolean): Promise<void>;
  /** Appends a due durable timer as an event to its actor. */
  fireTimer(to: Address, timer: DurableTimer): Promise<void>;
  deadLetter(letter: Omit<DeadLetter, 'node' | 'at'>): Promise<void>;
  reply(replyTo: string, reply: { ok: true; value: unknown } | { ok: false; error: string; code: string }): void;
  /** A turn completed: latency and the local bus. */
  processed(envelope: Envelope, delivery: Delivery): void;
}

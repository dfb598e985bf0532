/**
 * What an actor cell needs from the partition that hosts it. Kept apart so the cell can be
 * read (and tested) without the partition's commit and ack machinery.
 */
import type { ResolvedNodeOptions } from './options.ts';
import type { ActorRecord, Address, Clock, Delivery, DurableTimer, Envelope, EventObject } from './types.ts';

/** The in-memory, mutable-by-replacement record of an active actor. */
export type ActorState = ActorRecord;

/** One event on its way through a mailbox. */
export interface Work {
  readonly envelope: Envelope;
  /** Log sequence of the delivery. */
  readonly seq: number;
  readonly delivery: Delivery;
  /** Set when the event is a durable timer firing. */
  readonly timer?: { readonly key: string; readonly dueAt: number };
}

/** An event a turn emitted, with its derived id and per-target seq. */
export interface Emitted {
  readonly to: Address;
  readonly event: EventObject;
  readonly seq: number;
  readonly id: string;
  readonly replyTo?: string;
}

export type SkipReason = 'applied' | 'duplicate' | 'timer-gone';

/** The cell as its host sees it. */
export interface CellRef {
  readonly key: string;
  readonly address: Address;
}

export interface CellHost {
  readonly options: ResolvedNodeOptions;
  readonly clock: Clock;
  loadState(key: string): Promise<ActorState>;
  /** False while this node cannot confirm it holds the partition: no turn may start. */
  mayProcess(): boolean;
  /** Resolves after a short wait, to look at the lease again. */
  leasePause(): Promise<void>;
  /** The node's last HLC stamp, encoded. */
  hlcNow(): string;
  hlcObserve(stamp: string): void;
  /** Appends every emitted event in order; resolves when all are accepted. */
  publishAll(cell: CellRef, work: Work, emitted: readonly Emitted[]): Promise<void>;
  armTimers(cell: CellRef, timers: readonly DurableTimer[]): void;
  skip(work: Work, reason: SkipReason): void;
  onStart(cell: CellRef, work: Work): void;
  /** The turn completed (`error` set when the behavior failed on every attempt). */
  onEnd(cell: CellRef, work: Work, error: unknown, reply: unknown): void;
  reportError(err: unknown, work: Work): void;
}

export const EMPTY_STATE: ActorState = Object.freeze({
  snapshot: undefined,
  appliedSeq: 0,
  inSeq: Object.freeze({}),
  outSeq: Object.freeze({}),
  timers: Object.freeze([]) as readonly DurableTimer[],
  hlc: '',
});

/**
 * The public face of a node, and the typed reference to an actor. A reference carries the
 * events its actor accepts as a phantom type, so `node.send(ref, wrongEvent)` does not
 * compile.
 */
import type { HlcStamp } from './hlc.ts';
import type { Inspector } from './inspection.ts';
import type { LatencySnapshot } from './latency-stats.ts';
import type { Address, DeadLetter, EventObject } from './types.ts';

/** A typed address of one actor. `E` is the union of events it accepts. */
export interface ActorRef<E extends EventObject = EventObject, V = unknown> extends Address {
  /** Phantom: never set at run time. Function parameters make `E` contravariant. */
  readonly __events?: (event: E) => void;
  readonly __view?: () => V;
}

export type EventOf<R> = R extends ActorRef<infer E, unknown> ? E : never;
export type ViewOf<R> = R extends ActorRef<EventObject, infer V> ? V : never;

/** What a caller gets back once the log accepted an event. */
export interface SendReceipt {
  readonly id: string;
  readonly partition: number;
  /** Log sequence of the appended event. */
  readonly seq: number;
  /** The log already held an event with this id. */
  readonly duplicate: boolean;
}

export interface AskOptions {
  /** Default: the node's `askTimeoutMs` (5000). */
  readonly timeoutMs?: number;
}

/** An event this node finished processing, as published on the node's local bus. */
export interface ProcessedEvent<E extends EventObject = EventObject> {
  readonly id: string;
  readonly to: Address;
  readonly from: string;
  readonly event: E;
  readonly hlc: string;
}

/** Options of `stateAt`. */
export interface StateAtOptions {
  /** Stops the rebuild: `stateAt` then rejects with the signal's reason. Default: none. */
  readonly signal?: AbortSignal;
}

/** An actor's state as of an HLC time, rebuilt from the journal (see `CausewayNode.stateAt`). */
export interface ActorStateAt<V = unknown> {
  /** What an `ask` answers by default in that state (XState actors: `{ value, context, status }`). */
  readonly view: V;
  /** The behavior's snapshot of that state (XState: the persisted snapshot). */
  readonly snapshot: unknown;
  /** Log sequence of the last event the actor took in that state, as its record counts it; 0 before any. */
  readonly appliedSeq: number;
  /** Events applied to reach that state (duplicates, gone timers and dead letters not counted). */
  readonly events: number;
}

export interface NodeStats {
  readonly nodeId: string;
  readonly partitions: readonly number[];
  readonly activeActors: number;
  readonly pendingSends: number;
}

export interface CausewayNode {
  readonly id: string;
  /** Appends `event` for `ref`; resolves once durable (accepted). Rejects loudly otherwise. */
  send<E extends EventObject>(ref: ActorRef<E>, event: NoInfer<E>): Promise<SendReceipt>;
  /**
   * Sends and waits for the answer: what the actor's `reply(...)` gave, or else its view after
   * the turn (for XState actors `{ value, context, status }`). Unknown to the type system
   * because a machine decides per transition whether it replies.
   */
  ask<E extends EventObject>(ref: ActorRef<E>, event: NoInfer<E>, options?: AskOptions): Promise<unknown>;
  /** Latency percentiles per stage and actor type (microseconds). */
  readonly latency: { snapshot(): LatencySnapshot };
  /** Registers an observer of inspection records (history); returns an unsubscribe function. */
  inspect(observer: Inspector): () => void;
  deadLetters(): Promise<DeadLetter[]>;
  /**
   * Rebuilds the state of `ref` as of HLC time `hlc` (G6) from the journal, whichever node
   * owns the actor: its events are read from its partition's log and applied, in log order
   * and with the live actor's dedup and dead-letter rules, to a fresh activation. Nothing is
   * sent, replied or persisted, and the live actor is not disturbed.
   *
   * The state returned is the one the actor was in after the shortest prefix of its history
   * (its events in log order) that holds every event stamped `<= hlc` — that is, up to and
   * including the last event stamped `<= hlc`. An event's stamp is the one its sender gave
   * it. Events of different senders may sit in the log out of stamp order, so that prefix may
   * also hold concurrent events stamped later; it is always a state the actor really went
   * through, and for `hlc` at or past the stamp of its last event it is the current state.
   * Before the first event it is the initial state (`appliedSeq` 0, `events` 0).
   *
   * Rejects with `UnknownActorTypeError` for a type this node does not host, and with
   * `CausewayError` code `UNSUPPORTED` when the transport's log cannot be read.
   */
  stateAt<E extends EventObject, V>(ref: ActorRef<E, V>, hlc: string | HlcStamp, options?: StateAtOptions): Promise<ActorStateAt<V>>;
  stats(): NodeStats;
  /** Drains owned partitions, persists, releases leases, closes the transport. */
  stop(): Promise<void>;
}

/**
 * The public face of a node, and the typed reference to an actor. A reference carries the
 * events its actor accepts as a phantom type, so `node.send(ref, wrongEvent)` does not
 * compile.
 */
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
  stats(): NodeStats;
  /** Drains owned partitions, persists, releases leases, closes the transport. */
  stop(): Promise<void>;
}

/**
 * The runtime's contracts. The runtime knows neither XState nor NATS: `actors/` plugs in
 * through `Behavior`, `transport/*` through `Transport`. Everything crossing a layer
 * boundary is declared here.
 */

/** Physical time source. Only `runtime/clock.ts` reads the real wall clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch (integer). May stall or go backwards. */
  now(): number;
  /** Microseconds since the Unix epoch, for latency timings (may be fractional). */
  micros(): number;
}

/**
 * Schedules callbacks in the clock's time. Real time uses `setTimeout`; the simulator runs
 * them in virtual time so that a seeded run is the same run every time.
 */
export interface Timers {
  /** Calls `fn` once after `delayMs`; returns a function that cancels it. */
  setTimer(delayMs: number, fn: () => void): () => void;
}

/** Any event an actor accepts: a discriminated union member with a `type`. */
export interface EventObject {
  readonly type: string;
}

/** Where an event goes: an actor type and an id within that type. */
export interface Address {
  readonly type: string;
  readonly id: string;
}

/** Times (microseconds since epoch, from the stamping node's clock) of each hop. */
export interface Timings {
  /** stamped by the sender */
  sent: number;
  /** the log acknowledged the append (durable) */
  accepted?: number;
  /** the partition owner took it off the log */
  delivered?: number;
  /** the actor started processing it (left the mailbox) */
  started?: number;
  /** the actor finished processing it */
  processed?: number;
}

/** What travels: DESIGN §2. */
export interface Envelope<E extends EventObject = EventObject> {
  /** Unique id; the log's dedup key (`Nats-Msg-Id`). Emitted events derive it from `causedBy`. */
  readonly id: string;
  /** `payload.type`, kept outside the payload so routing never decodes the payload. */
  readonly type: string;
  readonly to: Address;
  /** Sender key: `<actorType>/<id>` for actors, `client/<nodeId>/<incarnation>` for node clients. */
  readonly from: string;
  /** Per (from, to) sequence number, starting at 1, without gaps for accepted events. */
  readonly seq: number;
  /** Encoded HLC timestamp (see `hlc.ts`). */
  readonly hlc: string;
  /** Id of the event whose handling emitted this one. */
  readonly causedBy?: string;
  /** Wire inbox to send the reply of an `ask` to. */
  readonly replyTo?: string;
  readonly payload: E;
  timings: Timings;
}

/** One message handed out by a partition's log. */
export interface Delivery {
  readonly partition: number;
  /** Log sequence: strictly increasing within a partition (not necessarily contiguous). */
  readonly seq: number;
  readonly data: Uint8Array;
  /** 1 on first delivery. */
  readonly attempt: number;
  /** When the log stored it (µs since epoch), if the log knows: the `accepted` time. */
  readonly storedAt?: number;
  /** The message is done with (processed and persisted, or dead-lettered). */
  ack(): void;
}

/** What the log said after an append. */
export interface PublishAck {
  readonly partition: number;
  readonly seq: number;
  /** The log already held a message with this id; nothing was appended. */
  readonly duplicate: boolean;
}

/** A running subscription to one partition. */
export interface PartitionSubscription {
  /** Stop delivering; resolves when no handler call is in progress. */
  stop(): Promise<void>;
}

/** One stored message of a partition, as `Log.read` hands it out. */
export interface LogEntry {
  /** Log sequence (increasing within a partition, with gaps). */
  readonly seq: number;
  readonly data: Uint8Array;
}

/** Bounds of `Log.read`, both inclusive. */
export interface LogReadOptions {
  /** First sequence to read. Default 1 (the start of the log). */
  readonly fromSeq?: number;
  /** Last sequence to read. Default: the partition's last message when `read` is called. */
  readonly toSeq?: number;
}

/**
 * The durable, partitioned log.
 *
 * Contract the runtime relies on: within a partition, the *first* delivery of each message
 * happens in log order; a message may be delivered again (duplicate, lost ack, redelivery),
 * in any order, but only after it was delivered once in this subscription or an earlier
 * one. A subscription starts after `afterSeq`.
 */
export interface Log {
  /**
   * Appends; resolves once durable. Rejects (never drops silently) when it cannot. Appends
   * one session issues are stored in the order they were called (one NATS connection keeps
   * publish order): per-sender FIFO and dedup by per-sender seq rely on it.
   */
  append(partition: number, envelope: Envelope, data: Uint8Array): Promise<PublishAck>;
  subscribe(
    partition: number,
    afterSeq: number,
    onDelivery: (d: Delivery) => void,
  ): Promise<PartitionSubscription>;
  /** Highest sequence acknowledged contiguously from the start of the subscription (ack floor). */
  ackFloor(partition: number): Promise<number>;
  /**
   * The journal: the partition's stored messages in log order, each once, from `fromSeq`
   * through `toSeq` or the partition's last message at the time of the call, then the
   * iteration ends (later appends are not waited for). Independent of `subscribe`: it acks
   * nothing and moves no consumer, so the partition's owner is not disturbed. `break` ends
   * it early. Optional: only rebuilding state from the journal (`stateAt`) needs it.
   */
  read?(partition: number, options?: LogReadOptions): AsyncIterable<LogEntry>;
}

/** An actor's durable record: its behavior snapshot plus the runtime's bookkeeping. */
export interface ActorRecord {
  /** Behavior snapshot (for XState: the persisted snapshot). */
  readonly snapshot: unknown;
  /** Highest log sequence applied to this actor. */
  readonly appliedSeq: number;
  /** Per sender: highest per-sender `seq` applied (dedup across re-publishes). */
  readonly inSeq: Readonly<Record<string, number>>;
  /** Per target key: last `seq` this actor used when sending to it. */
  readonly outSeq: Readonly<Record<string, number>>;
  /** Pending durable timers. */
  readonly timers: readonly DurableTimer[];
  /** Highest HLC the actor saw or emitted: a new owner merges it before the next turn. */
  readonly hlc: string;
  /**
   * The write that produced this record: who wrote it, under which epoch, and the events
   * whose effects it added. A writer that crashed before hearing the store's answer never
   * learns the write was accepted; the next owner reports it from here.
   */
  readonly lastCommit?: { readonly node: string; readonly epoch: number; readonly events: readonly string[] };
}

/** A delay owned by the runtime, so it survives passivation and restarts. */
export interface DurableTimer {
  readonly key: string;
  /** Wall-clock ms at which the event is due. */
  readonly dueAt: number;
  readonly event: EventObject;
  /** Id of the event whose turn scheduled it (its cause). */
  readonly scheduledBy?: string;
}

/** One write of a group commit. */
export interface RecordWrite {
  readonly key: string;
  readonly data: Uint8Array;
}

/** Actor records, fenced by the partition's ownership epoch. */
export interface StateStore {
  load(key: string): Promise<Uint8Array | undefined>;
  /**
   * Writes all records of a batch. Rejects with `StaleEpochError` when `epoch` is not the
   * partition's current epoch: a stale owner persists nothing.
   */
  commit(partition: number, epoch: number, writes: readonly RecordWrite[]): Promise<void>;
}

/** An event the runtime gave up on, with the reason. */
export interface DeadLetter {
  readonly reason: DeadLetterReason;
  readonly error: string;
  readonly partition: number;
  readonly seq: number;
  /** Decoded envelope when it could be decoded. */
  readonly envelope?: Envelope;
  /** Raw bytes as they came off the log. */
  readonly data: Uint8Array;
  /** Wall-clock ms when it was dead-lettered. */
  readonly at: number;
  readonly node: string;
}

export type DeadLetterReason =
  | 'malformed'
  | 'unknown-actor-type'
  | 'rejected-event'
  | 'clock-ahead'
  | 'handler-failed'
  | 'oversize';

export interface DeadLetterSink {
  put(letter: DeadLetter): Promise<void>;
  list(): Promise<DeadLetter[]>;
}

/** Non-durable messaging between nodes: ask replies, bus broadcast, metrics. */
export interface Wire {
  publish(subject: string, data: Uint8Array): void;
  subscribe(subject: string, handler: (data: Uint8Array, subject: string) => void): () => void;
}

/** Hands partitions to this node and takes them away (placement + leases). */
export interface Ownership {
  start(handlers: OwnershipHandlers): Promise<void>;
  /**
   * Whether this node still holds `partition` under `epoch` by its own reckoning (lease not
   * expired on the local clock). Checked synchronously before every turn, so an owner that
   * wakes from a pause stops before its timers even run. Optional: without it the runtime
   * relies on `lost` and the store's fencing alone.
   */
  holds?(partition: number, epoch: number): boolean;
  /** Drains (via `release`) and gives up every owned partition. */
  stop(): Promise<void>;
}

export interface OwnershipHandlers {
  /** This node now owns `partition`; `epoch` fences its writes. */
  acquire(partition: number, epoch: number): Promise<void>;
  /** Give `partition` up: stop consuming, finish and persist; resolves when drained. */
  release(partition: number): Promise<void>;
  /** Ownership was lost without a drain (lease expired): drop everything, persist nothing. */
  lost(partition: number): void;
}

export interface NodeInfo {
  readonly nodeId: string;
  readonly clock: Clock;
  readonly timers: Timers;
}

/** What a transport gives a node once connected. */
export interface TransportSession {
  readonly partitions: number;
  readonly log: Log;
  readonly state: StateStore;
  readonly ownership: Ownership;
  readonly deadLetters: DeadLetterSink;
  readonly wire: Wire;
  close(): Promise<void>;
}

/** Implemented by `transport/memory` and `transport/nats`. */
export interface Transport {
  readonly kind: string;
  connect(node: NodeInfo): Promise<TransportSession>;
}

/** Lets a behavior act during a turn; everything is applied when the turn ends. */
export interface TurnContext {
  /** Envelope being handled. */
  readonly envelope: Envelope;
  /** Set when the event is a durable timer of this actor firing: the timer's key. */
  readonly timerKey?: string;
  /** Emits `event` to `to` when the turn ends; `replyTo` asks for an answer (see `actorReplyTo`). */
  send(to: Address, event: EventObject, options?: { readonly replyTo?: string }): void;
  /** Answers an `ask`; ignored when the event was not asked. */
  reply(value: unknown): void;
  /** Durable timer: `event` comes back to this actor after `delayMs` (replaces `key`). */
  schedule(key: string, delayMs: number, event: EventObject): void;
  cancel(key: string): void;
}

/** A running actor instance inside one node. */
export interface Activation {
  /** Handles one event. Throws when the behavior fails on it. */
  handle(event: EventObject, turn: TurnContext): void;
  /** Snapshot to persist after the turn (must survive msgpack). */
  snapshot(): unknown;
  /** Whether the actor reached a final state. */
  done(): boolean;
  /** What an `ask` gets when the behavior did not `reply` explicitly. */
  view(): unknown;
  stop(): void;
}

/** Implemented by `actors/`: how one actor type behaves. */
export interface Behavior {
  readonly type: string;
  /** Whether an event type is one this actor type declares (checked at send). */
  accepts(eventType: string): boolean;
  /**
   * Starts an instance from its last snapshot (undefined for a new actor). `timers` are the
   * actor's pending durable timers, so the behavior can cancel them like its own.
   */
  activate(id: string, snapshot: unknown | undefined, timers: readonly DurableTimer[]): Activation;
  /** Idle time before passivation, ms. */
  readonly idleMs?: number;
}

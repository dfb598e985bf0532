/**
 * What the memory transport offers beyond the runtime's `Transport`: the simulated cluster
 * with its fault controls and read-only views for tests and the simulator.
 */
import type { DeadLetter, Envelope, NodeInfo, Transport } from '../../runtime/types.ts';
import type { NodeState } from './node.ts';
import type { SkewedClock } from './node-clock.ts';
import type { FaultOptions, ResolvedClusterOptions } from './options.ts';
import type { OwnershipEvent } from './ownership.ts';
import type { SimScheduler } from './scheduler.ts';
import type { RecordVersion } from './state-store.ts';

/** A message as the log stores it. */
export interface LoggedMessage {
  readonly partition: number;
  readonly seq: number;
  /** The envelope id (dedup key). */
  readonly id: string;
  /** A copy of the envelope as appended. */
  readonly envelope: Envelope;
  readonly data: Uint8Array;
  /** When it was stored, µs since the epoch. */
  readonly storedAt: number;
}

/** The log as tests see it. */
export interface LogView {
  /** Every message of `partition`, in log order (sequences increase, with gaps). */
  messages(partition: number): readonly LoggedMessage[];
  /** Every message of every partition, by sequence. */
  all(): LoggedMessage[];
  ackFloor(partition: number): number;
  /** How often a message was delivered so far (all subscriptions). */
  deliveryCount(partition: number, seq: number): number;
}

/** The state store as tests see it. */
export interface StateStoreView {
  latest(key: string): Uint8Array | undefined;
  /** Every committed version of `key`, oldest first. */
  history(key: string): readonly RecordVersion[];
  keys(): string[];
  readonly commitCount: number;
}

export interface DeadLetterView {
  list(): readonly DeadLetter[];
}

/** Who holds which partition. */
export interface OwnershipView {
  ownerOf(partition: number): string | undefined;
  /** Epoch of the partition's latest assignment (0: never assigned). */
  epochOf(partition: number): number;
  /** Nodes holding leases, sorted. */
  members(): string[];
  partitionsOf(nodeId: string): number[];
  onEvent(listener: (event: OwnershipEvent) => void): () => void;
}

export interface MemoryCluster {
  readonly options: ResolvedClusterOptions;
  readonly scheduler: SimScheduler;
  readonly log: LogView;
  readonly stateStore: StateStoreView;
  readonly deadLetters: DeadLetterView;
  readonly ownership: OwnershipView;
  /** The transport nodes connect through; each `connect` joins one node. */
  transport(): Transport;
  /**
   * `NodeInfo` whose clock and timers belong to the simulation: the clock is virtual time
   * plus `skewMs` (default 0), and the timers stop while the node is paused and die when it
   * crashes. For a crashed node id it prepares the restart (its timers work again).
   */
  nodeInfo(nodeId: string, options?: { skewMs?: number }): NodeInfo & { clock: SkewedClock };
  /** State of the node's latest connection, undefined if it never connected. */
  nodeState(nodeId: string): NodeState | undefined;
  /**
   * Kills the node: its tasks are dropped, its pending requests fail, appends/commits/acks
   * from it are refused or ignored, and its partitions go to the others without a drain
   * (and without `lost`: a crashed node hears nothing). Connect the id again to restart it.
   */
  crash(nodeId: string): void;
  /**
   * Stops the node (SIGSTOP): nothing of it runs, not even its timers. After `leaseMs` its
   * partitions move to others under new epochs.
   */
  pause(nodeId: string): void;
  /**
   * Continues a paused node. If its lease expired meanwhile, its handlers first get
   * `lost(p)` for every partition taken away; then it rejoins the placement.
   */
  resume(nodeId: string): void;
  /** Forces a partition onto a node (drain first); it stays there while the node lives. */
  movePartition(partition: number, nodeId: string): Promise<void>;
  /** Changes fault rates from now on (unnamed ones are kept). */
  setFaults(faults: FaultOptions): void;
}

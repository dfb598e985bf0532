/**
 * The in-process transport: deterministic, seeded, with fault injection. Single-node runs
 * use it through `memoryTransport()` (so they take the cluster's code path); property tests
 * drive a simulated multi-node cluster through `createMemoryCluster({ mode: 'sim' })`.
 * Never a stand-in for NATS in production use.
 */
import type { Transport } from '../../runtime/types.ts';
import { createMemoryCluster } from './cluster.ts';
import type { MemoryClusterOptions } from './options.ts';

/** Options of `memoryTransport`: those of a cluster, which always runs in real time. */
export type MemoryTransportOptions = Omit<MemoryClusterOptions, 'mode'>;

/** A transport over its own real-time (auto-mode) memory cluster, for one-node use. */
export function memoryTransport(options: MemoryTransportOptions = {}): Transport {
  return createMemoryCluster({ ...options, mode: 'auto' }).transport();
}

export { createMemoryCluster } from './cluster.ts';
export type { MemoryCluster, LogView, StateStoreView, DeadLetterView, OwnershipView, LoggedMessage } from './types.ts';
export {
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_ACK_PENDING,
  DEFAULT_MAX_DELAY_MS,
  defaultClusterOptions,
  defaultFaults,
  type FaultOptions,
  type MemoryClusterOptions,
  type ResolvedClusterOptions,
} from './options.ts';
export { SimScheduler, DEFAULT_SIM_EPOCH_MS, type SchedulerMode, type RunOptions, type RunResult } from './scheduler.ts';
export { SkewedClock } from './node-clock.ts';
export { Rng, DEFAULT_SEED } from './rng.ts';
export { subjectMatches } from './wire.ts';
export type { NodeState } from './node.ts';
export type { OwnershipEvent } from './ownership.ts';
export type { RecordVersion } from './state-store.ts';

/**
 * What the layers around the runtime (actors/, transport/, the package root) may use.
 * Anything not exported here is internal to the runtime.
 */
export type * from './types.ts';
export * from './errors.ts';
export type { InspectionEvent, Inspector } from './inspection.ts';
export { createNode, type CreateNodeHooks } from './node.ts';
export type { ActorRef, ActorStateAt, AskOptions, CausewayNode, EventOf, NodeStats, ProcessedEvent, SendReceipt, StateAtOptions, ViewOf } from './node-types.ts';
export { DEFAULT_ASK_TIMEOUT_MS, DEFAULT_IDLE_MS, DEFAULT_MAILBOX_CAPACITY, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_PENDING_SENDS, type NodeOptions } from './options.ts';
export { DEFAULT_PARTITIONS, addressKey, partitionOf, partitionsOf, rendezvousOwner } from './placement.ts';
export { systemClock, ManualClock } from './clock.ts';
export { realTimers } from './timers.ts';
export { HybridClock, compareHlc, decodeHlc, encodeHlc, DEFAULT_MAX_OFFSET_MS, type HlcStamp } from './hlc.ts';
export { actorReplyTo } from './actor-cell.ts';
export { decodeEnvelope, encodeEnvelope, decodeValue, encodeValue } from './codec.ts';
export type { LatencySnapshot, LatencyStats, Stage } from './latency-stats.ts';
export { DEFAULT_METRICS_HOST, DEFAULT_METRICS_INTERVAL_MS, type MetricsOptions } from './metrics.ts';
export type { ActorTypeCounters, NodeMetrics } from './metrics-report.ts';

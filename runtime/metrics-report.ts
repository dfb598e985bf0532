/**
 * The metrics report a node publishes on the wire every interval, and what a reader needs to
 * take one apart. Reports carry interval *histograms*, not percentiles: percentiles of two
 * nodes cannot be combined, histograms can be added (`mergeEncoded` in latency-export.ts).
 * Counters are totals since the node started plus the part that fell in this interval, so a
 * reader that missed reports (the wire is at most once) still sees correct totals.
 */
import { decodeValue, encodeValue } from './codec.ts';
import { DecodeError } from './errors.ts';
import type { EncodedInterval } from './latency.ts';
import { STAGES, type StageStats } from './latency-stats.ts';

/** Reports go to `_metrics.<nodeId>` under the transport's wire (NATS: `<ns>.wire._metrics.<id>`). */
export const METRICS_SUBJECT_PREFIX = '_metrics.';
/** What a reader subscribes to, to hear every node of a namespace. */
export const METRICS_SUBJECT_PATTERN = `${METRICS_SUBJECT_PREFIX}*`;

/** Counter key for dead letters whose envelope could not be decoded (no actor type known). */
export const UNKNOWN_ACTOR_TYPE = '(unknown)';

/** The subject of one node's reports. Node ids may hold dots, which would split the token. */
export function metricsSubject(nodeId: string): string {
  return METRICS_SUBJECT_PREFIX + nodeId.replace(/\./g, '_');
}

/** Events of one actor type counted on one node. */
export interface ActorTypeCounters {
  /** Turns that completed. */
  processed: number;
  /** Events this node appended to the log for this type (client sends, emits, timers). */
  sent: number;
  deadLetters: number;
}

/** What a node holds right now. */
export interface NodeGauges {
  /** Partitions this node owns, ascending. */
  readonly partitions: readonly number[];
  readonly activeActors: number;
  /** Events waiting in the mailboxes of this node's actors. */
  readonly mailboxDepth: number;
  /** Sends accepted by `send` but not yet by the log. */
  readonly pendingSends: number;
}

/** One report, as published on the wire (msgpack via `encodeValue`). */
export interface NodeMetrics extends NodeGauges {
  readonly v: 1;
  readonly nodeId: string;
  /** 1 for the first report of this node's run; a gap means reports were lost. */
  readonly seq: number;
  /** End of the interval, ms since the epoch (node clock). */
  readonly time: number;
  readonly intervalMs: number;
  /** The node is stopping: no report follows. */
  readonly final: boolean;
  /** Per actor type, since the node started. */
  readonly totals: Readonly<Record<string, ActorTypeCounters>>;
  /** Per actor type, within this interval. */
  readonly interval: Readonly<Record<string, ActorTypeCounters>>;
  /** This interval's rates, events per second, summed over actor types. */
  readonly throughput: { readonly processedPerSec: number; readonly sentPerSec: number };
  /** Latency recorded in this interval, per stage and actor type (µs). */
  readonly histograms: readonly EncodedInterval[];
}

/** A node's state for a scrape (Prometheus): cumulative counters and latency since start. */
export interface MetricsSnapshot extends NodeGauges {
  readonly nodeId: string;
  readonly totals: Readonly<Record<string, ActorTypeCounters>>;
  /** Percentiles since the node started (µs), as `LatencySnapshot.stages`. */
  readonly latency: StageStats;
}

export function encodeNodeMetrics(report: NodeMetrics): Uint8Array {
  return encodeValue(report);
}

/** Decodes and checks a report; throws `DecodeError` on anything else (another version, junk). */
export function decodeNodeMetrics(data: Uint8Array): NodeMetrics {
  const r = decodeValue(data) as Partial<Record<keyof NodeMetrics, unknown>> | null;
  if (r === null || typeof r !== 'object') throw new DecodeError('metrics report is not an object');
  if (r.v !== 1) throw new DecodeError(`unsupported metrics report version: ${JSON.stringify(r.v)}`);
  if (typeof r.nodeId !== 'string' || r.nodeId === '') throw new DecodeError('metrics report without a node id');
  for (const key of ['seq', 'time', 'intervalMs', 'activeActors', 'mailboxDepth', 'pendingSends'] as const) {
    if (typeof r[key] !== 'number') throw new DecodeError(`metrics report of '${r.nodeId}': '${key}' is not a number`);
  }
  if (!Array.isArray(r.partitions) || !r.partitions.every((p) => typeof p === 'number')) {
    throw new DecodeError(`metrics report of '${r.nodeId}': bad 'partitions'`);
  }
  for (const key of ['totals', 'interval'] as const) checkCounters(r.nodeId, key, r[key]);
  const t = r.throughput as Record<string, unknown> | undefined;
  if (typeof t?.processedPerSec !== 'number' || typeof t.sentPerSec !== 'number') {
    throw new DecodeError(`metrics report of '${r.nodeId}': bad 'throughput'`);
  }
  if (!Array.isArray(r.histograms) || !r.histograms.every(isInterval)) {
    throw new DecodeError(`metrics report of '${r.nodeId}': bad 'histograms'`);
  }
  return { ...(r as NodeMetrics), final: r.final === true };
}

function checkCounters(nodeId: string, key: string, value: unknown): void {
  const ok =
    value !== null &&
    typeof value === 'object' &&
    Object.values(value).every(
      (c: Record<string, unknown>) => typeof c?.processed === 'number' && typeof c.sent === 'number' && typeof c.deadLetters === 'number',
    );
  if (!ok) throw new DecodeError(`metrics report of '${nodeId}': bad '${key}'`);
}

function isInterval(e: unknown): e is EncodedInterval {
  const i = e as Partial<EncodedInterval> | null;
  return (
    i !== null &&
    typeof i === 'object' &&
    (STAGES as readonly unknown[]).includes(i.stage) &&
    typeof i.actorType === 'string' &&
    typeof i.startMs === 'number' &&
    typeof i.endMs === 'number' &&
    typeof i.histogram === 'string'
  );
}

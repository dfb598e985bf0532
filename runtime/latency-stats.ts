/**
 * The vocabulary of latency recording — stages, the JSON summary of a histogram, the text
 * table — kept apart from the histograms themselves so that readers of a snapshot (the CLI,
 * tests, a metrics exporter) need not load hdr-histogram-js. Nothing here imports it: a
 * histogram is read through the small `HistogramReadout` shape.
 */

/** The hops of one event, in the order it travels (DESIGN §2, step 7). */
export const STAGES = [
  'send->accepted',
  'accepted->delivered',
  'delivered->started',
  'processing',
  'send->processed',
] as const;

export type Stage = (typeof STAGES)[number];

/**
 * The actor type under which a snapshot reports the aggregate of every type for a stage.
 * Reserved: an actor type with this name would be hidden by the aggregate.
 */
export const ALL_ACTOR_TYPES = 'all';

/** Percentiles of one (stage, actor type), in microseconds (3 significant digits). */
export interface LatencyStats {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Per stage, per actor type (plus `all`), the stats. Every stage is present. */
export type StageStats = Record<Stage, Record<string, LatencyStats>>;

/** What `LatencyRecorder.snapshot()` returns: plain JSON. */
export interface LatencySnapshot {
  /** Whether the histograms ran in WebAssembly or in plain JS. */
  readonly engine: 'wasm' | 'js';
  /** Negative durations (clock skew between nodes) recorded as 0. */
  readonly skewed: number;
  /** Durations above the recorder's `highestMicros`, recorded as `highestMicros`. */
  readonly clamped: number;
  /** NaN durations, not recorded at all. */
  readonly dropped: number;
  readonly stages: StageStats;
}

/** The part of an HDR histogram that a summary reads. */
export interface HistogramReadout {
  readonly totalCount: number;
  readonly mean: number;
  getValueAtPercentile(percentile: number): number;
}

export const EMPTY_STATS: LatencyStats = Object.freeze({
  count: 0,
  min: 0,
  mean: 0,
  p50: 0,
  p90: 0,
  p99: 0,
  p999: 0,
  max: 0,
});

/**
 * Reads the stats of a histogram. Percentiles are read off the buckets, never averaged.
 * min and max too, at the histogram's precision (as Java's `getMaxValue()` does): a live
 * histogram knows its exact max but a decoded one only its bucket, and the local snapshot
 * must agree with the cluster-wide merge of the same values.
 */
export function summarize(h: HistogramReadout): LatencyStats {
  const count = h.totalCount;
  if (count === 0) return EMPTY_STATS;
  return {
    count,
    min: h.getValueAtPercentile(0),
    mean: h.mean,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.getValueAtPercentile(100),
  };
}

/** A `StageStats` with every stage present and each `all` aggregate empty. */
export function emptyStageStats(): StageStats {
  const stages = {} as StageStats;
  for (const stage of STAGES) stages[stage] = { [ALL_ACTOR_TYPES]: EMPTY_STATS };
  return stages;
}

const COLUMNS = ['stage', 'actor type', 'count', 'min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max'];

/**
 * A fixed-width text table (values in microseconds), one row per stage and actor type with
 * data, `all` first within each stage. For `causeway stats` and logs.
 */
export function percentileTable(stages: StageStats): string {
  const rows: string[][] = [COLUMNS];
  for (const stage of STAGES) {
    const byType = stages[stage];
    const types = Object.keys(byType)
      .filter((t) => t !== ALL_ACTOR_TYPES)
      .sort();
    for (const type of [ALL_ACTOR_TYPES, ...types]) {
      const s = byType[type];
      if (s === undefined || s.count === 0) continue;
      rows.push([
        stage,
        type,
        String(s.count),
        ...[s.min, s.mean, s.p50, s.p90, s.p99, s.p999, s.max].map((v) => v.toFixed(0)),
      ]);
    }
  }
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  // Names align left, numbers right, so columns of digits line up.
  const line = (r: string[]) =>
    r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return rows.map(line).join('\n') + '\n';
}

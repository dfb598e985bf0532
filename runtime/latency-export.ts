/**
 * The cluster-wide side of latency: decode the interval histograms that nodes publish, add
 * them up, and print them. Percentiles cannot be averaged across nodes, histograms can be
 * added, so everything here merges histograms and reads percentiles only at the end.
 * This file and `latency.ts` are the only modules that import hdr-histogram-js.
 *
 * Decoded histograms are plain JS (garbage collected), never wasm: they live as long as a
 * `causeway stats` run, and nobody would remember to destroy them.
 */
import { HistogramLogWriter, build, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { DecodeError } from './errors.ts';
import { readout, type EncodedInterval } from './latency.ts';
import { ALL_ACTOR_TYPES, STAGES, emptyStageStats, summarize, type Stage, type StageStats } from './latency-stats.ts';

export type { Histogram } from 'hdr-histogram-js';

/** Map key of a merged histogram: `<stage>|<actorType>`. */
export type LatencyKey = `${Stage}|${string}`;

export function latencyKey(stage: Stage, actorType: string): LatencyKey {
  return `${stage}|${actorType}`;
}

export function splitLatencyKey(key: LatencyKey): { stage: Stage; actorType: string } {
  const bar = key.indexOf('|');
  return { stage: key.slice(0, bar) as Stage, actorType: key.slice(bar + 1) };
}

/** Decodes a standard compressed base64 HdrHistogram (any HdrHistogram implementation's). */
export function decodeHistogram(base64: string): Histogram {
  try {
    return decodeFromCompressedBase64(base64);
  } catch (err) {
    throw new DecodeError(`malformed histogram: '${base64.slice(0, 24)}'`, { cause: err });
  }
}

/**
 * Adds up interval histograms per (stage, actor type), and per stage into an `all` actor
 * type. Each result spans the earliest start to the latest end of what was added
 * (`startTimeStampMsec`, `endTimeStampMsec`). Throws `DecodeError` on a malformed entry.
 */
export function mergeEncoded(list: readonly EncodedInterval[]): Map<LatencyKey, Histogram> {
  const merged = new Map<LatencyKey, Histogram>();
  const into = (key: LatencyKey, h: Histogram) => {
    let target = merged.get(key);
    if (target === undefined) {
      // Resizable: nodes may have been configured with different ranges.
      target = build({ autoResize: true, numberOfSignificantValueDigits: digitsOf(h) });
      merged.set(key, target);
    }
    target.add(h);
  };
  for (const e of list) {
    const h = decodeHistogram(e.histogram);
    // The V2 encoding carries no timestamps; `add` widens the target's span from these.
    h.startTimeStampMsec = e.startMs;
    h.endTimeStampMsec = e.endMs;
    into(latencyKey(e.stage, e.actorType), h);
    into(latencyKey(e.stage, ALL_ACTOR_TYPES), h);
  }
  return merged;
}

function digitsOf(h: Histogram): 1 | 2 | 3 | 4 | 5 {
  return Math.min(5, Math.max(1, h.numberOfSignificantValueDigits)) as 1 | 2 | 3 | 4 | 5;
}

/** The stats of merged histograms, in the shape of `LatencySnapshot.stages`. */
export function statsOf(merged: ReadonlyMap<LatencyKey, Histogram>): StageStats {
  const stages = emptyStageStats();
  for (const [key, h] of merged) {
    const { stage, actorType } = splitLatencyKey(key);
    if (STAGES.includes(stage)) stages[stage][actorType] = summarize(readout(h));
  }
  return stages;
}

/**
 * The `.hgrm` percentile distribution text (HdrHistogram's `outputPercentileDistribution`),
 * readable by the HdrHistogram plotter. Values are µs divided by `unitScale` (default `1`;
 * `1000` prints milliseconds).
 */
export function toHgrm(histogram: Histogram, unitScale = 1): string {
  return histogram.outputPercentileDistribution(5, unitScale);
}

/** One line of a histogram log: a histogram with its span set, and the tag it goes under. */
export interface TaggedHistogram {
  readonly tag: string;
  readonly histogram: Histogram;
}

/**
 * A histogram log (HdrHistogram log format 1.3, as Java's `HistogramLogWriter` writes it),
 * readable by `HistogramLogReader`, `HistogramLogProcessor` and HistogramLogAnalyzer. Lines
 * go in order of start time, each tagged (tools keep tags apart and add up equal ones);
 * `Interval_Max` is in the histograms' unit, µs.
 */
export function toHistogramLog(entries: readonly TaggedHistogram[], startTimeMs: number): string {
  let out = '';
  const writer = new HistogramLogWriter((text) => {
    out += text;
  });
  writer.outputLogFormatVersion();
  writer.outputComment('[values in microseconds]');
  writer.outputStartTime(startTimeMs);
  writer.baseTime = startTimeMs;
  writer.outputLegend();
  const sorted = [...entries].sort((a, b) => a.histogram.startTimeStampMsec - b.histogram.startTimeStampMsec);
  for (const { tag, histogram } of sorted) {
    // The log format ends a tag at ',' and readers split on whitespace.
    histogram.tag = tag.replace(/[,\s]/g, '_');
    writer.outputIntervalHistogram(histogram, undefined, undefined, 1);
  }
  return out;
}

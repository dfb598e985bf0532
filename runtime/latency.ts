/**
 * The latency recorder: one HDR histogram per (stage, actor type), fed by the router on the
 * hot path, read as percentiles by `snapshot()` and shipped to the cluster-wide view as
 * encoded interval histograms. This file and `latency-export.ts` are the only modules that
 * import hdr-histogram-js (DESIGN §2).
 *
 * Recording never throws: a hot path that failed because a remote clock was skewed would
 * lose the event, not just its timing. Out-of-range values are clamped and counted instead.
 */
import { JsHistogram, build, encodeIntoCompressedBase64, initWebAssembly, type Histogram } from 'hdr-histogram-js';
import {
  ALL_ACTOR_TYPES,
  STAGES,
  emptyStageStats,
  summarize,
  type HistogramReadout,
  type LatencySnapshot,
  type Stage,
} from './latency-stats.ts';
import { parseLatencyOptions, type LatencyRecorderOptions } from './latency-options.ts';
import type { Timings } from './types.ts';

export {
  DEFAULT_HIGHEST_MICROS,
  DEFAULT_LOWEST_MICROS,
  DEFAULT_SIGNIFICANT_DIGITS,
  defaultLatencyOptions,
  type LatencyRecorderOptions,
} from './latency-options.ts';

export type LatencyEngine = 'wasm' | 'js';

let engine: LatencyEngine = 'js';
let fallbackReason: string | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the WebAssembly histograms once per process; later recorders use them. Never
 * rejects: when WebAssembly cannot load, recorders keep the JS histograms (see
 * `latencyEngine()` for the reason).
 */
export function initLatency(): Promise<void> {
  loading ??= initWebAssembly().then(
    () => {
      engine = 'wasm';
    },
    (err: unknown) => {
      fallbackReason = err instanceof Error ? err.message : String(err);
    },
  );
  return loading;
}

/** Which histograms new recorders get, and why not wasm when wasm failed to load. */
export function latencyEngine(): { readonly engine: LatencyEngine; readonly fallbackReason?: string } {
  return fallbackReason === undefined ? { engine } : { engine, fallbackReason };
}

/** One interval histogram of one (stage, actor type), as `intervalHistograms()` hands it out. */
export interface EncodedInterval {
  readonly stage: Stage;
  readonly actorType: string;
  /** Interval start and end, ms since the epoch from the recorder's clock. */
  readonly startMs: number;
  readonly endMs: number;
  /** Standard HdrHistogram V2 compressed base64 (`HISTF...`), values in µs. */
  readonly histogram: string;
}

export interface LatencyRecorder {
  readonly engine: LatencyEngine;
  /** Records one duration in µs. Negative → 0 (counted as skewed), too large → clamped, NaN → dropped. */
  record(stage: Stage, actorType: string, micros: number): void;
  /** Records every stage whose two ends are present in `timings`. */
  recordTimings(actorType: string, timings: Timings): void;
  /** Everything recorded since creation (or `reset()`), per stage and actor type plus `all`. */
  snapshot(): LatencySnapshot;
  /** The histograms recorded since the previous call, encoded; empty ones are left out. */
  intervalHistograms(): EncodedInterval[];
  reset(): void;
  /** Frees the histograms (wasm memory is not garbage collected); recording becomes a no-op. */
  destroy(): void;
}

/**
 * What `summarize` reads, with a fast mean for JS histograms: their `mean` walks an
 * allocating iterator (~5 ms per histogram, so a snapshot of a few actor types blocked the
 * event loop for 200 ms); this sums the same terms over the buckets in the same order.
 */
export function readout(h: Histogram): HistogramReadout {
  let mean: number;
  if (h instanceof JsHistogram && h.totalCount > 0) {
    let sum = 0;
    for (let i = 0; i < h.countsArrayLength; i++) {
      const count = h.getCountAtIndex(i);
      if (count > 0) sum += h.medianEquivalentValue(h.valueFromIndex(i)) * count;
    }
    mean = sum / h.totalCount;
  } else {
    mean = h.mean;
  }
  return { totalCount: h.totalCount, mean, getValueAtPercentile: (p) => h.getValueAtPercentile(p) };
}

const STAGE_INDEX = Object.fromEntries(STAGES.map((s, i) => [s, i])) as Record<Stage, number>;
const SEND_ACCEPTED = STAGE_INDEX['send->accepted'];
const ACCEPTED_DELIVERED = STAGE_INDEX['accepted->delivered'];
const DELIVERED_STARTED = STAGE_INDEX['delivered->started'];
const PROCESSING = STAGE_INDEX['processing'];
const SEND_PROCESSED = STAGE_INDEX['send->processed'];

/** Per actor type, indexed by stage: the hot path writes `interval`; `total` holds older intervals. */
interface Slot {
  readonly interval: Histogram[];
  readonly total: Histogram[];
}

export function createLatencyRecorder(options: LatencyRecorderOptions = {}): LatencyRecorder {
  const o = parseLatencyOptions(options);
  const useWasm = o.wasm && engine === 'wasm';
  const highest = o.highestMicros;
  const clock = o.clock;
  const now = () => clock.now();
  const newHistogram = () =>
    build({
      useWebAssembly: useWasm,
      // Fixed size: we clamp before recording, so resizing would only cost memory.
      autoResize: false,
      lowestDiscernibleValue: o.lowestMicros,
      highestTrackableValue: highest,
      numberOfSignificantValueDigits: o.significantDigits as 1 | 2 | 3 | 4 | 5,
    });

  const slots = new Map<string, Slot>();
  let scratch: { one: Histogram; all: Histogram } | undefined;
  let skewed = 0;
  let clamped = 0;
  let dropped = 0;
  let intervalStart = now();
  let destroyed = false;

  function slotFor(actorType: string): Slot {
    let slot = slots.get(actorType);
    if (slot === undefined) {
      slot = { interval: STAGES.map(newHistogram), total: STAGES.map(newHistogram) };
      slots.set(actorType, slot);
    }
    return slot;
  }

  function put(slot: Slot, stage: number, micros: number): void {
    let v = micros;
    if (!(v >= 0)) {
      if (Number.isNaN(v)) {
        dropped++;
        return;
      }
      skewed++;
      v = 0;
    } else if (v > highest) {
      clamped++;
      v = highest;
    }
    // Timings are fractional µs: wasm would truncate them and JS keep the fraction; round once so both agree.
    slot.interval[stage]!.recordValue(Math.round(v));
  }

  /** `total + interval`, adding into `scratch` only when both hold values (adds scan every bucket). */
  function combined(total: Histogram, interval: Histogram, scratch: Histogram): Histogram {
    if (total.totalCount === 0) return interval;
    if (interval.totalCount === 0) return total;
    scratch.reset();
    scratch.add(total);
    scratch.add(interval);
    return scratch;
  }

  function allHistograms(): Histogram[] {
    const all = [...slots.values()].flatMap((s) => [...s.interval, ...s.total]);
    return scratch ? [...all, scratch.one, scratch.all] : all;
  }

  return {
    engine: useWasm ? 'wasm' : 'js',

    record(stage, actorType, micros) {
      if (destroyed) return;
      put(slotFor(actorType), STAGE_INDEX[stage], micros);
    },

    recordTimings(actorType, t) {
      if (destroyed) return;
      const slot = slotFor(actorType);
      const { sent, accepted, delivered, started, processed } = t;
      if (accepted !== undefined) put(slot, SEND_ACCEPTED, accepted - sent);
      if (accepted !== undefined && delivered !== undefined) put(slot, ACCEPTED_DELIVERED, delivered - accepted);
      if (delivered !== undefined && started !== undefined) put(slot, DELIVERED_STARTED, started - delivered);
      if (started !== undefined && processed !== undefined) put(slot, PROCESSING, processed - started);
      if (processed !== undefined) put(slot, SEND_PROCESSED, processed - sent);
    },

    snapshot() {
      const stages = emptyStageStats();
      if (!destroyed && slots.size > 0) {
        scratch ??= { one: newHistogram(), all: newHistogram() };
        const { one, all } = scratch;
        STAGES.forEach((stage, i) => {
          all.reset();
          for (const [actorType, slot] of slots) {
            const h = combined(slot.total[i]!, slot.interval[i]!, one);
            if (h.totalCount === 0) continue;
            stages[stage][actorType] = summarize(readout(h));
            all.add(h);
          }
          stages[stage][ALL_ACTOR_TYPES] = summarize(readout(all));
        });
      }
      return { engine: useWasm ? 'wasm' : 'js', skewed, clamped, dropped, stages };
    },

    intervalHistograms() {
      if (destroyed) return [];
      const startMs = intervalStart;
      const endMs = now();
      intervalStart = endMs;
      const out: EncodedInterval[] = [];
      for (const [actorType, slot] of slots) {
        STAGES.forEach((stage, i) => {
          const h = slot.interval[i]!;
          if (h.totalCount === 0) return;
          out.push({ stage, actorType, startMs, endMs, histogram: encodeIntoCompressedBase64(h) });
          slot.total[i]!.add(h);
          h.reset();
        });
      }
      return out;
    },

    reset() {
      if (destroyed) return;
      for (const h of allHistograms()) h.reset();
      skewed = clamped = dropped = 0;
      intervalStart = now();
    },

    destroy() {
      if (destroyed) return;
      for (const h of allHistograms()) h.destroy();
      slots.clear();
      scratch = undefined;
      destroyed = true;
    },
  };
}

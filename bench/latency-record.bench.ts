/**
 * Hot-path cost of latency recording: ns per `record()` and per `recordTimings()` (five
 * records), with wasm and with JS histograms, against a baseline of the same loop calling
 * a no-op recorder (the loop and call overhead every variant pays).
 *
 *   npx tsx bench/latency-record.bench.ts
 *
 * Prints one line per measurement, then a one-line JSON summary last.
 */
import { performance } from 'node:perf_hooks';
import { createLatencyRecorder, initLatency, latencyEngine, type LatencyRecorder } from '../runtime/latency.ts';
import type { Timings } from '../runtime/types.ts';

const N = 1_000_000;
const RUNS = 5;
const TYPES = ['account', 'ledger', 'saga', 'sensor', 'order', 'payment', 'user', 'cart'];

// Seeded, so every run records the same values: ~50 µs to ~50 ms, skewed towards fast.
let seed = 42;
const random = () => (seed = (seed * 48271) % 0x7fffffff) / 0x7fffffff;
const values = Float64Array.from({ length: N }, () => 50 * 1000 ** random());
const TIMINGS_MASK = 0xffff;
const timings: Timings[] = Array.from({ length: TIMINGS_MASK + 1 }, (_, i) => {
  const sent = 1.7e15 + i * 1000;
  const accepted = sent + values[i]!;
  const delivered = accepted + values[i + 1]!;
  const started = delivered + values[i + 2]!;
  return { sent, accepted, delivered, started, processed: started + values[i + 3]! };
});

type Recorder = Pick<LatencyRecorder, 'record' | 'recordTimings'>;
const noop: Recorder = { record() {}, recordTimings() {} };

function nsPerCall(loop: () => void): number {
  loop(); // warm up: let the JIT settle before measuring
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    loop();
    samples.push(((performance.now() - t0) * 1e6) / N);
  }
  samples.sort((a, b) => a - b);
  return samples[RUNS >> 1]!; // median
}

function measure(r: Recorder): { recordNs: number; recordTimingsNs: number } {
  const recordNs = nsPerCall(() => {
    for (let i = 0; i < N; i++) r.record('processing', TYPES[i & 7]!, values[i]!);
  });
  const recordTimingsNs = nsPerCall(() => {
    for (let i = 0; i < N; i++) r.recordTimings(TYPES[i & 7]!, timings[i & TIMINGS_MASK]!);
  });
  return { recordNs, recordTimingsNs };
}

const round = (ns: number) => Math.round(ns * 10) / 10;
const report = (name: string, m: { recordNs: number; recordTimingsNs: number }) =>
  console.log(
    `${name.padEnd(9)} record ${round(m.recordNs)} ns   recordTimings ${round(m.recordTimingsNs)} ns ` +
      `(${round(m.recordTimingsNs / 5)} ns per stage)`,
  );

await initLatency();
const baseline = measure(noop);
report('baseline', baseline);

const result: Record<string, { recordNs: number; recordTimingsNs: number; snapshotMs: number }> = {};
for (const wasm of [true, false]) {
  const r = createLatencyRecorder({ wasm });
  const m = measure(r);
  report(r.engine, m);
  const t0 = performance.now();
  const snap = r.snapshot();
  const snapshotMs = performance.now() - t0;
  console.log(`${r.engine.padEnd(9)} snapshot of ${TYPES.length} types x 5 stages: ${snapshotMs.toFixed(1)} ms, ` +
    `processing p99 ${snap.stages.processing.all!.p99} µs`);
  result[r.engine] = { recordNs: round(m.recordNs), recordTimingsNs: round(m.recordTimingsNs), snapshotMs: round(snapshotMs) };
  r.destroy();
}

console.log(
  JSON.stringify({
    bench: 'latency-record',
    n: N,
    runs: RUNS,
    node: process.version,
    engineAvailable: latencyEngine().engine,
    baseline: { recordNs: round(baseline.recordNs), recordTimingsNs: round(baseline.recordTimingsNs) },
    ...result,
  }),
);

import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DecodeError, InvalidOptionError } from '../runtime/errors.ts';
import {
  createLatencyRecorder,
  initLatency,
  latencyEngine,
  type EncodedInterval,
  type LatencyRecorder,
  type LatencyRecorderOptions,
} from '../runtime/latency.ts';
import { decodeHistogram, mergeEncoded, statsOf, toHgrm } from '../runtime/latency-export.ts';
import { STAGES, percentileTable, type LatencyStats } from '../runtime/latency-stats.ts';

/** Within what 3 significant digits promise: 1 part in 1000 (plus one unit for rounding). */
function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 1e-3 + 1);
}

function expectStats(s: LatencyStats | undefined, expected: Partial<LatencyStats>): void {
  expect(s).toBeDefined();
  for (const [k, v] of Object.entries(expected)) {
    if (k === 'count') expect(s!.count).toBe(v);
    else expectClose(s![k as keyof LatencyStats], v);
  }
}

const manualClock = (start = 1_700_000_000_000) => {
  const clock = { t: start, now: () => clock.t };
  return clock;
};

// Runs first: nothing in this file has called initLatency yet.
it('uses JS histograms when initLatency was never awaited', () => {
  expect(latencyEngine().engine).toBe('js');
  const r = createLatencyRecorder();
  expect(r.engine).toBe('js');
  r.record('processing', 'account', 42);
  expect(r.snapshot().stages.processing.account?.count).toBe(1);
  r.destroy();
});

describe.each(['js', 'wasm'] as const)('with %s histograms', (engine) => {
  const make = (options: LatencyRecorderOptions = {}): LatencyRecorder => {
    const r = createLatencyRecorder({ wasm: engine === 'wasm', ...options });
    expect(r.engine).toBe(engine);
    return r;
  };

  // Suites run in order, so the JS suite above saw no initLatency.
  beforeAll(() => (engine === 'wasm' ? initLatency() : undefined));

  if (engine === 'wasm') {
    it('initLatency loads WebAssembly once', async () => {
      await Promise.all([initLatency(), initLatency()]);
      expect(latencyEngine()).toEqual({ engine: 'wasm' });
    });
  }

  it('reads percentiles of a known distribution to 3 significant digits', () => {
    const r = make();
    for (let v = 1; v <= 10_000; v++) r.record('processing', 'account', v);
    const s = r.snapshot();
    expectStats(s.stages.processing.account, {
      count: 10_000,
      min: 1,
      mean: 5000.5,
      p50: 5000,
      p90: 9000,
      p99: 9900,
      p999: 9990,
      max: 10_000,
    });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    r.destroy();
  });

  it('keeps actor types apart and aggregates them under all', () => {
    const r = make();
    for (let i = 0; i < 100; i++) r.record('send->accepted', 'account', 100);
    for (let i = 0; i < 300; i++) r.record('send->accepted', 'ledger', 1000);
    const stage = r.snapshot().stages['send->accepted'];
    expectStats(stage.account, { count: 100, min: 100, max: 100, p99: 100 });
    expectStats(stage.ledger, { count: 300, min: 1000, max: 1000, p50: 1000 });
    expectStats(stage.all, { count: 400, min: 100, max: 1000, p50: 1000, mean: 775 });
    // Other stages are present, with an empty aggregate.
    expect(r.snapshot().stages.processing).toEqual({ all: expect.objectContaining({ count: 0 }) });
    r.destroy();
  });

  it('clamps negative durations to 0 and counts them as skew; clamps and counts too large ones', () => {
    const r = make({ highestMicros: 1_000_000 });
    expect(() => {
      r.record('accepted->delivered', 'account', -250);
      r.record('accepted->delivered', 'account', -Infinity);
      r.record('accepted->delivered', 'account', 5_000_000);
      r.record('accepted->delivered', 'account', Infinity);
      r.record('accepted->delivered', 'account', Number.NaN);
      r.record('accepted->delivered', 'account', 10.6);
    }).not.toThrow();
    const s = r.snapshot();
    expect({ skewed: s.skewed, clamped: s.clamped, dropped: s.dropped }).toEqual({
      skewed: 2,
      clamped: 2,
      dropped: 1,
    });
    expectStats(s.stages['accepted->delivered'].account, { count: 5, min: 0, p50: 11, max: 1_000_000 });
    r.destroy();
  });

  it('derives every stage from timings, skipping stages whose ends are missing', () => {
    const r = make();
    r.recordTimings('account', { sent: 1000, accepted: 1500, delivered: 1400, started: 3400, processed: 3500.4 });
    r.recordTimings('account', { sent: 1000, accepted: 1200 });
    const s = r.snapshot();
    expect(s.stages['send->accepted'].account?.count).toBe(2);
    expectStats(s.stages['send->accepted'].account, { min: 200, max: 500 });
    expectStats(s.stages['accepted->delivered'].account, { count: 1, max: 0 });
    expectStats(s.stages['delivered->started'].account, { count: 1, p50: 2000 });
    expectStats(s.stages.processing.account, { count: 1, p50: 100 });
    expectStats(s.stages['send->processed'].account, { count: 1, p50: 2500 });
    expect(s.skewed).toBe(1);
    r.destroy();
  });

  it('interval histograms, decoded and merged, equal recording everything in one histogram', () => {
    const clock = manualClock();
    const nodes = [make({ clock }), make({ clock })];
    const reference = make();
    const intervals: EncodedInterval[] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 5000; i++) {
        const micros = Math.floor(random() ** 3 * 2_000_000);
        const type = i % 3 === 0 ? 'ledger' : 'account';
        const stage = STAGES[i % STAGES.length]!;
        nodes[i % 2]!.record(stage, type, micros);
        reference.record(stage, type, micros);
      }
      clock.t += 1000;
      for (const n of nodes) intervals.push(...n.intervalHistograms());
    }
    expect(intervals.every((e) => e.histogram.startsWith('HISTF'))).toBe(true);
    expect(nodes[0]!.intervalHistograms()).toEqual([]); // the interval was reset

    const merged = mergeEncoded(intervals);
    const expected = reference.snapshot().stages;
    expect(statsOf(merged)).toEqual(expected);
    // The cut intervals still count in each node's own snapshot.
    expect(nodes[0]!.snapshot().stages.processing.all!.count).toBeGreaterThan(0);
    const all = merged.get('processing|all')!;
    expect(all.totalCount).toBe(expected.processing.all!.count);
    expect(all.startTimeStampMsec).toBe(1_700_000_000_000);
    expect(all.endTimeStampMsec).toBe(1_700_000_004_000);
    for (const r of [...nodes, reference]) r.destroy();
  });

  it('prints the .hgrm percentile distribution and a percentile table', () => {
    const r = make();
    for (let v = 1; v <= 1000; v++) r.record('send->processed', 'account', v);
    const [interval] = r.intervalHistograms();
    const hgrm = toHgrm(decodeHistogram(interval!.histogram));
    const lines = hgrm.split('\n');
    expect(lines[0]).toBe('       Value     Percentile TotalCount 1/(1-Percentile)');
    expect(lines[1]).toBe('');
    expect(hgrm).toContain('#[Max     =     1000.000, Total count    =         1000]');
    const table = percentileTable(r.snapshot().stages).split('\n');
    expect(table[0]).toMatch(/^stage\s+actor type\s+count\s+min\s+mean\s+p50\s+p90\s+p99\s+p99\.9\s+max$/);
    expect(table[1]).toMatch(/^send->processed\s+all\s+1000\s+1\s+501\s+500\s+900\s+990\s+999\s+1000$/);
    expect(table[2]).toMatch(/^send->processed\s+account\s+1000\s/);
    r.destroy();
  });

  it('reset forgets everything; destroy frees and turns recording into a no-op', () => {
    const r = make();
    r.record('processing', 'account', -1);
    r.reset();
    expect(r.snapshot().skewed).toBe(0);
    expect(r.snapshot().stages.processing.account).toBeUndefined();
    expect(r.intervalHistograms()).toEqual([]);
    r.record('processing', 'account', 5);
    r.destroy();
    r.destroy();
    expect(() => r.record('processing', 'account', 5)).not.toThrow();
    expect(r.snapshot().stages.processing).toEqual({ all: expect.objectContaining({ count: 0 }) });
    expect(r.intervalHistograms()).toEqual([]);
  });
});

it('gives identical stats from wasm and JS histograms', async () => {
  await initLatency();
  const [wasm, js] = [createLatencyRecorder(), createLatencyRecorder({ wasm: false })];
  for (let v = 0; v < 50_000; v += 7) {
    wasm.recordTimings('account', { sent: 0, accepted: v, processed: v * 3 });
    js.recordTimings('account', { sent: 0, accepted: v, processed: v * 3 });
  }
  expect(wasm.snapshot().stages).toEqual(js.snapshot().stages);
  wasm.destroy();
  js.destroy();
});

it('rejects invalid options', () => {
  expect(() => createLatencyRecorder({ significantDigits: 6 })).toThrow(InvalidOptionError);
  expect(() => createLatencyRecorder({ lowestMicros: 0 })).toThrow(/lowestMicros/);
  expect(() => createLatencyRecorder({ lowestMicros: 10, highestMicros: 15 })).toThrow(/highestMicros/);
  // Options given as undefined take their defaults.
  const r = createLatencyRecorder({ highestMicros: undefined, clock: undefined });
  r.record('processing', 'account', 59_000_000);
  expect(r.snapshot().clamped).toBe(0);
  expect(r.intervalHistograms()[0]!.endMs).toBeGreaterThan(1.6e12);
  r.destroy();
});

it('reports a malformed histogram as a DecodeError', () => {
  expect(() => decodeHistogram('not a histogram')).toThrow(DecodeError);
});

it('falls back to JS histograms when WebAssembly fails to load', async () => {
  vi.resetModules();
  vi.doMock('hdr-histogram-js', async (importOriginal) => ({
    ...(await importOriginal<typeof import('hdr-histogram-js')>()),
    initWebAssembly: () => Promise.reject(new Error('no wasm here')),
  }));
  try {
    const fresh = await import('../runtime/latency.ts');
    await expect(fresh.initLatency()).resolves.toBeUndefined();
    expect(fresh.latencyEngine()).toEqual({ engine: 'js', fallbackReason: 'no wasm here' });
    const r = fresh.createLatencyRecorder();
    expect(r.engine).toBe('js');
    r.record('processing', 'account', 3);
    expect(r.snapshot().stages.processing.all?.count).toBe(1);
    r.destroy();
  } finally {
    vi.doUnmock('hdr-histogram-js');
    vi.resetModules();
  }
});

/**
 * The Prometheus exposition: a parser of the text format 0.0.4 checks every line of what
 * `toPrometheus` writes (names, labels, escapes, HELP/TYPE before samples, families not
 * interleaved, summaries complete), then the HTTP endpoint, alone and as a node option.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createNode, memoryTransport } from '../index.ts';
import { account, bankActors } from '../examples/bank/actors.ts';
import { emptyStageStats, type LatencyStats } from '../runtime/latency-stats.ts';
import { startMetricsServer } from '../runtime/metrics-http.ts';
import type { MetricsSnapshot } from '../runtime/metrics-report.ts';
import { PROMETHEUS_CONTENT_TYPE, toPrometheus } from '../runtime/prometheus.ts';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;

/** Parses exposition text strictly; throws on the first malformed line. */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  if (!text.endsWith('\n')) throw new Error('text must end with a newline');
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const done = new Set<string>();
  const samples: Sample[] = [];
  let current: string | undefined;
  const enter = (family: string) => {
    if (family !== current && done.has(family)) throw new Error(`family '${family}' interleaved`);
    if (current !== undefined && family !== current) done.add(current);
    current = family;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!METRIC.test(name)) throw new Error(`bad metric name in '${line}'`);
      enter(name);
      if (kind === 'HELP') {
        if (helps.has(name) || /\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`bad HELP '${line}'`);
        helps.add(name);
      } else {
        if (types.has(name) || !['counter', 'gauge', 'summary', 'histogram', 'untyped'].includes(rest)) throw new Error(`bad TYPE '${line}'`);
        types.set(name, rest);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`malformed line '${line}'`);
    const [, name, labelText = '', valueText] = m as unknown as [string, string, string | undefined, string];
    const family = types.get(name) === undefined ? name.replace(/_(sum|count)$/, '') : name;
    if (!types.has(family) || !helps.has(family)) throw new Error(`sample '${name}' before its HELP and TYPE`);
    enter(family);
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const l = LABEL.exec(labelText);
      if (!l) throw new Error(`bad labels in '${line}'`);
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (valueText !== 'NaN' && Number.isNaN(value)) throw new Error(`bad value in '${line}'`);
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

const stats = (count: number, p50: number): LatencyStats => ({ count, min: 1, mean: p50, p50, p90: p50 * 2, p99: p50 * 4, p999: p50 * 8, max: p50 * 9 });

function snapshot(): MetricsSnapshot {
  const latency = emptyStageStats();
  latency.processing = { all: stats(30, 100), account: stats(20, 100), 'we"ird\\type\n': stats(10, 50) };
  return {
    nodeId: 'n1',
    partitions: [0, 3, 5],
    activeActors: 7,
    mailboxDepth: 2,
    pendingSends: 1,
    totals: { account: { processed: 20, sent: 21, deadLetters: 0 }, 'we"ird\\type\n': { processed: 10, sent: 10, deadLetters: 2 } },
    latency,
  };
}

describe('toPrometheus', () => {
  it('writes well-formed text format 0.0.4 with HELP and TYPE for every family', () => {
    const { types, samples } = parseExposition(toPrometheus(snapshot()));
    expect(Object.fromEntries(types)).toEqual({
      causeway_node_info: 'gauge',
      causeway_events_processed_total: 'counter',
      causeway_events_sent_total: 'counter',
      causeway_dead_letters_total: 'counter',
      causeway_partitions_owned: 'gauge',
      causeway_active_actors: 'gauge',
      causeway_mailbox_depth: 'gauge',
      causeway_pending_sends: 'gauge',
      causeway_latency_seconds: 'summary',
      causeway_stage_latency_seconds: 'summary',
    });
    for (const [name, type] of types) if (type === 'counter') expect(name).toMatch(/_total$/);
    const get = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
    expect(get('causeway_node_info', { node_id: 'n1' })).toBe(1);
    expect(get('causeway_events_processed_total', { actor_type: 'account' })).toBe(20);
    // Escapes round-trip: the parser gets the actor type back as it was.
    expect(get('causeway_dead_letters_total', { actor_type: 'we"ird\\type\n' })).toBe(2);
    expect(get('causeway_partitions_owned')).toBe(3);
    expect(get('causeway_mailbox_depth')).toBe(2);
    expect(get('causeway_latency_seconds', { stage: 'processing', actor_type: 'account', quantile: '0.99' })).toBeCloseTo(400e-6);
    expect(get('causeway_latency_seconds_count', { stage: 'processing', actor_type: 'account' })).toBe(20);
    expect(get('causeway_latency_seconds_sum', { stage: 'processing', actor_type: 'account' })).toBeCloseTo((20 * 100) / 1e6);
    expect(get('causeway_stage_latency_seconds', { stage: 'processing', quantile: '0.5' })).toBeCloseTo(100e-6);
    // `all` is its own family, never an actor_type label that `sum by` would count twice.
    expect(samples.some((s) => s.labels.actor_type === 'all')).toBe(false);
    // Stages without data have no series rather than zeros.
    expect(samples.some((s) => s.labels.stage === 'send->accepted')).toBe(false);
    const quantiles = samples.filter((s) => s.name === 'causeway_latency_seconds').map((s) => s.labels.quantile);
    expect(new Set(quantiles)).toEqual(new Set(['0.5', '0.9', '0.99', '0.999']));
  });

  it('the parser refuses what Prometheus would refuse', () => {
    expect(() => parseExposition('causeway_x 1\n')).toThrow(/before its HELP/);
    expect(() => parseExposition('# HELP a x\n# TYPE a gauge\na{b="c} 1\n')).toThrow();
    expect(() => parseExposition('# HELP a x\n# TYPE a gauge\n# HELP b y\n# TYPE b gauge\nb 1\na 2\n')).toThrow(/interleaved/);
  });
});

describe('metrics endpoint', () => {
  it('serves /metrics, and says what is wrong otherwise', async () => {
    let fail = false;
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, render: () => (fail ? (() => { throw new Error('nope'); })() : toPrometheus(snapshot())) });
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
      parseExposition(await res.text());
      expect((await fetch(server.url.replace('/metrics', '/nope'))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
      fail = true;
      const failed = await fetch(server.url);
      expect([failed.status, await failed.text()]).toEqual([500, 'metrics failed: nope\n']);
    } finally {
      await server.close();
    }
  });

  it('is started by the metricsPort node option and closed by stop()', async () => {
    const port = await freePort();
    const node = await createNode({ actors: bankActors, transport: memoryTransport(), nodeId: 'prom-1', metricsPort: port });
    const url = `http://127.0.0.1:${port}/metrics`;
    try {
      for (let i = 0; i < 3; i++) await node.ask(account.ref('a'), { type: 'DEPOSIT', amount: 1 });
      const { samples } = parseExposition(await (await fetch(url)).text());
      const processed = samples.find((s) => s.name === 'causeway_events_processed_total' && s.labels.actor_type === 'account');
      expect(processed?.value).toBe(3);
      // A second node cannot take the same port: createNode fails loudly.
      await expect(createNode({ actors: bankActors, transport: memoryTransport(), metricsPort: port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await node.stop();
    }
    await expect(fetch(url)).rejects.toThrow();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

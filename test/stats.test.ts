/**
 * `causeway stats` against a real cluster: two nodes on a nats-server of our own report
 * every 250 ms; the command listens, prints per-node counters and the cluster-wide
 * percentile table, and writes `.hgrm` files and an HdrHistogram log that HdrHistogram's own
 * reader reads back with the same counts. Plus the collector's bookkeeping on its own.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistogramLogReader } from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNode, natsTransport } from '../index.ts';
import { account, bankActors } from '../examples/bank/actors.ts';
import { UsageError } from '../cli/args.ts';
import { MetricsCollector } from '../cli/metrics-collector.ts';
import { main, parseDuration } from '../cli/stats.ts';
import { encodeNodeMetrics, type NodeMetrics } from '../runtime/metrics-report.ts';
import { eventually, startNatsServer, type NatsServer } from './support/nats-server.ts';

describe('causeway stats', () => {
  let server: NatsServer;
  let nodes: Awaited<ReturnType<typeof createNode<typeof bankActors>>>[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'causeway-stats-'));

  beforeAll(async () => {
    server = await startNatsServer();
    nodes = await Promise.all(
      ['st-n1', 'st-n2'].map((nodeId) =>
        createNode({ actors: bankActors, nodeId, metricsIntervalMs: 250, transport: natsTransport({ servers: server.url, namespace: 'st', partitions: 4, storage: 'memory' }) }),
      ),
    );
    await eventually('every partition owned', () => nodes.reduce((n, node) => n + node.stats().partitions.length, 0) === 4);
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints counters per node and merged percentiles, and writes .hgrm files and a histogram log', async () => {
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      const run = main(['--nats', server.url, '--namespace', 'st', '--duration', '1500ms', '--hgrm', join(dir, 'hgrm'), '--log', join(dir, 'run.hlog')]);
      for (let i = 0; i < 60; i++) await nodes[i % 2]!.send(account.ref(`a${i % 6}`), { type: 'DEPOSIT', amount: 1 });
      code = await run;
    } finally {
      write.mockRestore();
    }
    const text = out.join('');
    expect(code, text).toBe(0);
    expect(text).toMatch(/^causeway stats: namespace 'st', 2 nodes, listened 1\.\d s/);
    expect(text).toMatch(/^st-n1 +\d+ +\d+ +0 +\d+/m);
    expect(text).toMatch(/^st-n2 +\d+ +\d+ +0 +\d+/m);
    const row = /^send->processed +all +(\d+) /m.exec(text);
    expect(row, text).not.toBeNull();
    const count = Number(row![1]);
    expect(count).toBeGreaterThan(0);

    const hgrm = join(dir, 'hgrm', 'send-to-processed.all.hgrm');
    expect(existsSync(hgrm)).toBe(true);
    expect(readFileSync(hgrm, 'utf8')).toMatch(new RegExp(`Total count += +${count}\\]`));
    // HdrHistogram's reader adds up the log's intervals to what the table printed.
    const reader = new HistogramLogReader(readFileSync(join(dir, 'run.hlog'), 'utf8'));
    let logged = 0;
    for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
      if (h.tag === 'send->processed|all') logged += h.totalCount;
    }
    expect(logged).toBe(count);
  });

  it('exits 1 when no node reports in the namespace', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--nats', server.url, '--namespace', 'nobody', '--duration', '300ms'])).toBe(1);
      expect(String(write.mock.calls[0]?.[0])).toContain("no reports: is a node running in namespace 'nobody'");
    } finally {
      write.mockRestore();
    }
  });
});

describe('stats parts', () => {
  const report = (seq: number, processed: number): NodeMetrics => ({
    v: 1, nodeId: 'n1', seq, time: 1_000 * seq, intervalMs: 1_000, final: false, partitions: [0], activeActors: 1, mailboxDepth: 0, pendingSends: 0,
    totals: { a: { processed: processed * seq, sent: 0, deadLetters: 0 } }, interval: { a: { processed, sent: 0, deadLetters: 0 } },
    throughput: { processedPerSec: processed, sentPerSec: 0 }, histograms: [],
  });

  it('the collector adds interval counters, counts lost and malformed reports', () => {
    const c = new MetricsCollector();
    c.ingest(encodeNodeMetrics(report(1, 5)), 0);
    c.ingest(encodeNodeMetrics(report(4, 5)), 0);
    expect(c.ingest(new Uint8Array([0xc1]), 0)).toBeUndefined();
    const n1 = c.nodes.get('n1')!;
    expect([n1.reports, n1.lost, n1.window.a?.processed, n1.windowMs, c.malformed]).toEqual([2, 2, 10, 2_000, 1]);
  });

  it('parses durations and refuses nonsense', () => {
    expect([parseDuration('500ms'), parseDuration('5s'), parseDuration('1.5s'), parseDuration('2m'), parseDuration('3')]).toEqual([500, 5_000, 1_500, 120_000, 3_000]);
    expect(() => parseDuration('5 parsecs')).toThrow(UsageError);
    expect(() => parseDuration('0s')).toThrow(UsageError);
  });
});

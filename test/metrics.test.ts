/**
 * Node metrics reports, through the public `createNode` on the simulated cluster: one report
 * per interval on `_metrics.<node>` in virtual time (the node's injected timers), counters
 * per actor type, gauges, interval histograms that add up to the node's own snapshot, a
 * final report on stop and no timer left behind.
 */
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { createNode, defineActor, InvalidOptionError } from '../index.ts';
import { account, bankActors } from '../examples/bank/actors.ts';
import { mergeEncoded, statsOf } from '../runtime/latency-export.ts';
import { decodeNodeMetrics, METRICS_SUBJECT_PATTERN, metricsSubject, type NodeMetrics } from '../runtime/metrics-report.ts';
import { createMemoryCluster } from '../transport/memory/index.ts';

const faulty = defineActor(
  'faulty',
  setup({ types: { events: {} as { type: 'BOOM' } } }).createMachine({
    on: {
      BOOM: {
        actions: () => {
          throw new Error('boom');
        },
      },
    },
  }),
);

async function simNode(options: { metricsIntervalMs?: number } = {}) {
  const cluster = createMemoryCluster({ mode: 'sim', partitions: 4 });
  const { scheduler } = cluster;
  // A session that never starts ownership: it only listens, as `causeway stats` does.
  const observer = await scheduler.drive(cluster.transport().connect(cluster.nodeInfo('observer')));
  const reports: NodeMetrics[] = [];
  const subjects: string[] = [];
  observer.wire.subscribe(METRICS_SUBJECT_PATTERN, (data, subject) => {
    subjects.push(subject);
    reports.push(decodeNodeMetrics(data));
  });
  const info = cluster.nodeInfo('n.1');
  const node = await scheduler.drive(
    createNode({ actors: [...bankActors, faulty], nodeId: 'n.1', transport: cluster.transport(), clock: info.clock, timers: info.timers, maxAttempts: 1, ...options }),
  );
  return { scheduler, node, reports, subjects };
}

describe('metrics reports', () => {
  it('publishes one report per interval with counters, gauges and interval histograms', async () => {
    const { scheduler, node, reports, subjects } = await simNode();
    for (let i = 0; i < 5; i++) await scheduler.drive(node.send(account.ref(`a${i % 2}`), { type: 'DEPOSIT', amount: 1 }));
    await scheduler.drive(node.send(faulty.ref('f'), { type: 'BOOM' }));
    await scheduler.runFor(1_000);

    expect(reports).toHaveLength(1);
    expect(subjects).toEqual([metricsSubject('n.1')]);
    expect(metricsSubject('n.1')).toBe('_metrics.n_1');
    const [first] = reports as [NodeMetrics];
    expect(first).toMatchObject({ v: 1, nodeId: 'n.1', seq: 1, final: false, partitions: [0, 1, 2, 3], mailboxDepth: 0, pendingSends: 0 });
    expect(first.activeActors).toBe(3);
    expect(first.totals).toEqual({ account: { processed: 5, sent: 5, deadLetters: 0 }, faulty: { processed: 0, sent: 1, deadLetters: 1 } });
    expect(first.interval).toEqual(first.totals);
    expect(first.throughput.processedPerSec).toBeCloseTo((5 * 1000) / first.intervalMs);
    // The report's histograms hold what the node's own snapshot holds.
    const merged = statsOf(mergeEncoded(first.histograms));
    expect(merged['send->processed'].account?.count).toBe(5);
    expect(merged['send->accepted'].all?.count).toBe(6);
    expect(node.latency.snapshot().stages['send->processed'].account?.count).toBe(5);

    await scheduler.runFor(1_000);
    expect(reports).toHaveLength(2);
    expect(reports[1]).toMatchObject({ seq: 2, time: first.time + 1_000, intervalMs: 1_000, histograms: [] });
    expect(reports[1]!.interval.account).toEqual({ processed: 0, sent: 0, deadLetters: 0 });
    expect(reports[1]!.totals.account?.processed).toBe(5);

    await scheduler.drive(node.stop());
    // The wire hands the final report over as a task of the listener; then nothing follows.
    await scheduler.runFor(5_000);
    expect(reports).toHaveLength(3);
    expect(reports[2]).toMatchObject({ seq: 3, final: true, partitions: [] });
  });

  it('with metricsIntervalMs 0 publishes nothing and leaves the simulation idle', async () => {
    const { scheduler, node, reports } = await simNode({ metricsIntervalMs: 0 });
    await scheduler.drive(node.send(account.ref('a'), { type: 'DEPOSIT', amount: 1 }));
    // A periodic timer would keep virtual time moving forever; none may be left.
    expect((await scheduler.runUntilIdle({ maxSteps: 10_000 })).idle).toBe(true);
    await scheduler.drive(node.stop());
    expect(reports).toEqual([]);
  });

  it('rejects bad metrics options before connecting', async () => {
    const cluster = createMemoryCluster({ mode: 'sim' });
    const make = (o: { metricsIntervalMs?: number; metricsPort?: number }) => createNode({ actors: bankActors, transport: cluster.transport(), ...o });
    await expect(make({ metricsIntervalMs: -1 })).rejects.toThrow(InvalidOptionError);
    await expect(make({ metricsIntervalMs: 1.5 })).rejects.toThrow(/metricsIntervalMs/);
    await expect(make({ metricsPort: 70_000 })).rejects.toThrow(/metricsPort/);
  });

  it('refuses a report of another version or shape', () => {
    expect(() => decodeNodeMetrics(new Uint8Array([1, 2, 3]))).toThrow();
  });
});

/**
 * The dashboard's picture of a cluster, rebuilt every tick from the metrics reports heard
 * since: nodes (alive, stale or stopped), who owns which partition, actor counts, throughput
 * per node, and per stage the p50/p99 of the tick's latency over time. Percentiles of a
 * tick come from the histograms of every node added up, never from averaged percentiles.
 * A frame is plain JSON, sent whole each tick, so a page that connects late or reconnects
 * needs nothing else.
 */
import { mergeEncoded } from '../runtime/latency-export.ts';
import { ALL_ACTOR_TYPES, STAGES, type Stage } from '../runtime/latency-stats.ts';
import type { ActorTypeCounters } from '../runtime/metrics-report.ts';
import { MetricsCollector, sumCounters } from './metrics-collector.ts';

/** Points kept per series: two minutes at one tick a second. */
export const DEFAULT_HISTORY = 120;

export interface NodeFrame {
  readonly id: string;
  /** `up`: reporting; `stale`: no report for three intervals; `stopped`: sent its final report. */
  readonly status: 'up' | 'stale' | 'stopped';
  readonly lastSeen: number;
  readonly partitions: readonly number[];
  readonly activeActors: number;
  readonly mailboxDepth: number;
  readonly pendingSends: number;
  readonly processedPerSec: number;
  readonly sentPerSec: number;
  /** Since the node started. */
  readonly totals: ActorTypeCounters;
}

export interface LatencyPoint {
  /** Tick time, ms since the epoch. */
  readonly t: number;
  /** µs; null when nothing was recorded in the tick. */
  readonly p50: number | null;
  readonly p99: number | null;
  readonly count: number;
}

export interface ThroughputPoint {
  readonly t: number;
  /** Processed events per second, per node id. */
  readonly byNode: Readonly<Record<string, number>>;
}

export interface DashboardFrame {
  /** Counts up by one per tick. */
  readonly seq: number;
  readonly time: number;
  readonly namespace: string;
  readonly nodes: readonly NodeFrame[];
  /** Partition → owning node id (only partitions some live node reports owning). */
  readonly owners: Readonly<Record<number, string>>;
  /** Totals since start per actor type, over the nodes that are up. */
  readonly actorTypes: Readonly<Record<string, ActorTypeCounters>>;
  readonly throughput: readonly ThroughputPoint[];
  readonly latency: Readonly<Record<Stage, readonly LatencyPoint[]>>;
}

export class DashboardState {
  private readonly collector = new MetricsCollector(false);
  private seq = 0;
  private readonly throughput: ThroughputPoint[] = [];
  private readonly latency = Object.fromEntries(STAGES.map((s) => [s, [] as LatencyPoint[]])) as Record<Stage, LatencyPoint[]>;

  constructor(
    readonly namespace: string,
    private readonly history = DEFAULT_HISTORY,
  ) {}

  ingest(data: Uint8Array, receivedAt: number): void {
    this.collector.ingest(data, receivedAt);
  }

  /** Closes the tick at `now`: adds one point to every series and returns the whole frame. */
  tick(now: number): DashboardFrame {
    const merged = mergeEncoded(this.collector.drain());
    for (const stage of STAGES) {
      const h = merged.get(`${stage}|${ALL_ACTOR_TYPES}`);
      const count = h?.totalCount ?? 0;
      const point = h && count > 0 ? { t: now, p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), count } : { t: now, p50: null, p99: null, count: 0 };
      push(this.latency[stage], point, this.history);
    }
    const nodes = this.collector.sortedNodes().map((v): NodeFrame => {
      // Three missed reports (or three seconds, for long intervals) before calling a node stale.
      const staleAfter = Math.max(3 * v.last.intervalMs, 3_000);
      const status = v.last.final ? 'stopped' : now - v.lastSeen > staleAfter ? 'stale' : 'up';
      const live = status === 'up';
      return {
        id: v.nodeId,
        status,
        lastSeen: v.lastSeen,
        partitions: live ? v.last.partitions : [],
        activeActors: live ? v.last.activeActors : 0,
        mailboxDepth: live ? v.last.mailboxDepth : 0,
        pendingSends: live ? v.last.pendingSends : 0,
        processedPerSec: live ? v.last.throughput.processedPerSec : 0,
        sentPerSec: live ? v.last.throughput.sentPerSec : 0,
        totals: sumCounters(v.last.totals),
      };
    });
    push(this.throughput, { t: now, byNode: Object.fromEntries(nodes.map((n) => [n.id, n.processedPerSec])) }, this.history);
    const owners: Record<number, string> = {};
    for (const n of nodes) for (const p of n.partitions) owners[p] = n.id;
    const actorTypes: Record<string, ActorTypeCounters> = {};
    for (const v of this.collector.nodes.values()) {
      if (v.last.final) continue;
      for (const [type, c] of Object.entries(v.last.totals)) {
        const t = (actorTypes[type] ??= { processed: 0, sent: 0, deadLetters: 0 });
        t.processed += c.processed;
        t.sent += c.sent;
        t.deadLetters += c.deadLetters;
      }
    }
    return {
      seq: ++this.seq,
      time: now,
      namespace: this.namespace,
      nodes,
      owners,
      actorTypes,
      throughput: [...this.throughput],
      latency: Object.fromEntries(STAGES.map((s) => [s, [...this.latency[s]]])) as Record<Stage, LatencyPoint[]>,
    };
  }
}

function push<T>(series: T[], point: T, max: number): void {
  series.push(point);
  if (series.length > max) series.splice(0, series.length - max);
}

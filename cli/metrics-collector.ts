/**
 * What `causeway stats` and `causeway dashboard` know about a cluster: the metrics reports
 * nodes publish, gathered per node. Counters of a window are the sum of the reports'
 * interval counters (not a difference of totals), so a node that restarts mid-window still
 * adds up right; latency is kept as the reports' interval histograms, to be added up later.
 */
import type { EncodedInterval } from '../runtime/latency.ts';
import { decodeNodeMetrics, type ActorTypeCounters, type NodeMetrics } from '../runtime/metrics-report.ts';

export interface NodeView {
  readonly nodeId: string;
  /** The latest report. */
  last: NodeMetrics;
  /** When the latest report arrived, ms since the epoch (this process's clock). */
  lastSeen: number;
  /** Reports received. */
  reports: number;
  /** Reports missed, from gaps in `seq` (the wire is at most once). */
  lost: number;
  /** Interval counters of the reports received, added up per actor type. */
  readonly window: Record<string, ActorTypeCounters>;
  /** Time the received reports cover, ms. */
  windowMs: number;
}

export class MetricsCollector {
  readonly nodes = new Map<string, NodeView>();
  /** Reports that could not be decoded, and the last reason. */
  malformed = 0;
  lastError: string | undefined;
  private pending: EncodedInterval[] = [];
  private readonly all: EncodedInterval[] = [];

  /** @param keepAll keep every interval histogram for `intervals()` (stats); else only until `drain()` */
  constructor(private readonly keepAll = true) {}

  /** Takes one raw report; returns it decoded, or undefined when it was malformed. */
  ingest(data: Uint8Array, receivedAt: number): NodeMetrics | undefined {
    let report: NodeMetrics;
    try {
      report = decodeNodeMetrics(data);
    } catch (error) {
      this.malformed++;
      this.lastError = error instanceof Error ? error.message : String(error);
      return undefined;
    }
    const view = this.nodes.get(report.nodeId);
    if (view === undefined) {
      this.nodes.set(report.nodeId, { nodeId: report.nodeId, last: report, lastSeen: receivedAt, reports: 1, lost: 0, window: {}, windowMs: 0 });
    } else {
      // seq starts at 1 again when the node restarted: nothing was lost then.
      if (report.seq > view.last.seq + 1) view.lost += report.seq - view.last.seq - 1;
      view.last = report;
      view.lastSeen = receivedAt;
      view.reports++;
    }
    const node = this.nodes.get(report.nodeId)!;
    // A first report covers time from before we listened (histograms cannot be cut), so
    // rates divide by the time the reports cover, not by how long we listened.
    node.windowMs += report.intervalMs;
    for (const [type, c] of Object.entries(report.interval)) addInto(node.window, type, c);
    this.pending.push(...report.histograms);
    if (this.keepAll) this.all.push(...report.histograms);
    return report;
  }

  /** Every interval histogram received (only when constructed with `keepAll`). */
  intervals(): readonly EncodedInterval[] {
    return this.all;
  }

  /** The interval histograms received since the previous call. */
  drain(): EncodedInterval[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Window counters over every node, per actor type. */
  byActorType(): Record<string, ActorTypeCounters> {
    const out: Record<string, ActorTypeCounters> = {};
    for (const node of this.nodes.values()) for (const [type, c] of Object.entries(node.window)) addInto(out, type, c);
    return out;
  }

  /** Nodes sorted by id. */
  sortedNodes(): NodeView[] {
    return [...this.nodes.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  }
}

/** Sums of one node's (or all nodes') counters. */
export function sumCounters(byType: Readonly<Record<string, ActorTypeCounters>>): ActorTypeCounters {
  const sums: Record<string, ActorTypeCounters> = {};
  for (const c of Object.values(byType)) addInto(sums, 'all', c);
  return sums.all ?? { processed: 0, sent: 0, deadLetters: 0 };
}

function addInto(target: Record<string, ActorTypeCounters>, type: string, c: ActorTypeCounters): void {
  const t = (target[type] ??= { processed: 0, sent: 0, deadLetters: 0 });
  t.processed += c.processed;
  t.sent += c.sent;
  t.deadLetters += c.deadLetters;
}

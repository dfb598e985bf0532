/**
 * What `causeway stats` prints and writes, from what a `MetricsCollector` gathered: tables
 * of per-node and per-actor-type counters, the cluster-wide percentile table (histograms
 * of every node added up, never percentiles averaged), `.hgrm` percentile distributions
 * and an HdrHistogram interval log.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EncodedInterval } from '../runtime/latency.ts';
import { mergeEncoded, splitLatencyKey, statsOf, toHgrm, toHistogramLog, type Histogram, type LatencyKey } from '../runtime/latency-export.ts';
import { percentileTable } from '../runtime/latency-stats.ts';
import { sumCounters, type MetricsCollector, type NodeView } from './metrics-collector.ts';

export interface ReportContext {
  readonly namespace: string;
  /** How long we listened, ms. */
  readonly listenedMs: number;
}

export function renderStats(c: MetricsCollector, ctx: ReportContext): string {
  const nodes = c.sortedNodes();
  const reports = nodes.reduce((n, v) => n + v.reports, 0);
  const lost = nodes.reduce((n, v) => n + v.lost, 0);
  const head =
    `causeway stats: namespace '${ctx.namespace}', ${nodes.length} node${nodes.length === 1 ? '' : 's'}, ` +
    `listened ${(ctx.listenedMs / 1000).toFixed(1)} s, ${reports} reports (${lost} lost, ${c.malformed} malformed)\n`;
  if (nodes.length === 0) {
    return `${head}\nno reports: is a node running in namespace '${ctx.namespace}' with metricsIntervalMs > 0?\n`;
  }
  const windowMs = Math.max(...nodes.map((v) => v.windowMs));
  const typeRows = Object.entries(c.byActorType())
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([type, s]) => [type, String(s.processed), String(s.sent), String(s.deadLetters), windowMs > 0 ? ((s.processed * 1000) / windowMs).toFixed(1) : '-']);
  const merged = mergeEncoded(c.intervals());
  const latency = merged.size === 0 ? 'no latency recorded\n' : percentileTable(statsOf(merged));
  return [
    head,
    nodeTable(nodes),
    table(['actor type', 'processed', 'sent', 'dead letters', 'processed/s'], typeRows),
    `latency (µs), histograms of ${nodes.length} node${nodes.length === 1 ? '' : 's'} added up:\n${latency}`,
  ].join('\n');
}

const NODE_COLUMNS = ['node', 'partitions', 'actors', 'mailbox', 'processed', 'sent', 'dead letters', 'processed/s', 'sent/s', 'reports', 'lost'];
const RATE_COLUMNS = new Set([6, 7]);

/** Gauges from each node's latest report, counters and rates over the reports heard. */
function nodeTable(nodes: readonly NodeView[]): string {
  const rows = nodes.map((v) => {
    const s = sumCounters(v.window);
    const perSec = (n: number) => (v.windowMs > 0 ? (n * 1000) / v.windowMs : 0);
    const values = [v.last.partitions.length, v.last.activeActors, v.last.mailboxDepth, s.processed, s.sent, s.deadLetters, perSec(s.processed), perSec(s.sent), v.reports, v.lost];
    return { name: v.nodeId + (v.last.final ? ' (stopped)' : ''), values };
  });
  // Every column adds up over nodes, rates too: nodes work in parallel.
  const total = rows[0]!.values.map((_, i) => rows.reduce((sum, r) => sum + r.values[i]!, 0));
  const cells = (values: number[]) => values.map((x, i) => (RATE_COLUMNS.has(i) ? x.toFixed(1) : String(x)));
  return table(NODE_COLUMNS, [...rows.map((r) => [r.name, ...cells(r.values)]), ['total', ...cells(total)]]);
}

/** A fixed-width table: the first column aligned left, numbers right. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return all.map(line).join('\n') + '\n';
}

/** Writes `<stage>.<actorType>.hgrm` per merged histogram into `dir`; returns the paths. */
export function writeHgrmFiles(dir: string, merged: ReadonlyMap<LatencyKey, Histogram>): string[] {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (const [key, histogram] of merged) {
    const { stage, actorType } = splitLatencyKey(key);
    const path = join(dir, `${fileSafe(stage.replace('->', '-to-'))}.${fileSafe(actorType)}.hgrm`);
    writeFileSync(path, toHgrm(histogram));
    paths.push(path);
  }
  return paths.sort();
}

/**
 * Writes the interval histograms as an HdrHistogram log, tagged `<stage>|<actorType>`.
 * The histograms of one report (same start and end) are added up into its `all` lines too.
 * Returns the number of interval lines.
 */
export function writeHistogramLog(file: string, intervals: readonly EncodedInterval[], startTimeMs: number): number {
  const byReport = new Map<string, EncodedInterval[]>();
  for (const e of intervals) {
    const key = `${e.startMs}-${e.endMs}`;
    const group = byReport.get(key);
    if (group === undefined) byReport.set(key, [e]);
    else group.push(e);
  }
  // Offsets in the log count from its start time, so it must not be after any interval.
  const start = intervals.reduce((min, e) => Math.min(min, e.startMs), startTimeMs);
  const entries = [...byReport.values()].flatMap((group) => [...mergeEncoded(group)].map(([tag, histogram]) => ({ tag, histogram })));
  writeFileSync(file, toHistogramLog(entries, start));
  return entries.length;
}

function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * What a demo run shows, computed from the merged history of every node process and the
 * client (never from the nodes' own say-so): the test kit's guarantee checkers for lost,
 * duplicated and out-of-order events, the failover time, and end-to-end latencies.
 */
import { decodeHlc } from '../index.ts';
import { checkCausal, summarize, type Summary } from '../testing/checkers/index.ts';
import type { History, HistoryEvent } from '../testing/history.ts';
import type { Settled } from './settle-tracker.ts';

export interface KillInfo {
  readonly node: string;
  /** Wall ms of the SIGKILL. */
  readonly at: number;
  /** Partitions the node owned just before. */
  readonly partitions: readonly number[];
}

export interface Verdict extends Summary {
  /** Distinct events the log accepted (client sends and events actors emitted). */
  readonly sent: number;
  /** Of those, events with an accepted commit. */
  readonly processed: number;
  readonly deadLettered: number;
  /**
   * Kill to the moment the last of the killed node's partitions had an accepted commit on
   * another node (ms); null without a kill or when none of them saw traffic afterwards.
   */
  readonly failoverMs: number | null;
  /** `<partitions with a commit elsewhere after the kill>/<partitions the killed node owned>`. */
  readonly failoverPartitions: string | null;
  /** Per event: HLC wall time of the send to the end of its committed processing, ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /**
   * Send records whose stamp differs from the one their processing saw: a turn replayed
   * after a crash re-emits an event under its old id with a new HLC, the log drops that copy
   * as a duplicate, and the record describes a send that was never delivered.
   */
  readonly restampedSends: number;
  /** The causal checker again, each send judged by the stamp it was processed with. */
  readonly causalViolationsAsDelivered: number;
}

export function judge(history: History, kill: KillInfo | undefined): Verdict {
  const summary = summarize(history, { order: 'per-node' });
  const sends = new Map<string, string>(); // event -> hlc of its first accepted send
  const firstCommitNode = new Map<string, string>();
  const endAt = new Map<string, number>(); // `${event}\0${node}` -> last ok end
  const dead = new Set<string>();
  for (const r of history) {
    if (r.kind === 'send' && r.accepted && !sends.has(r.event)) sends.set(r.event, r.hlc);
    else if (r.kind === 'end' && r.ok) endAt.set(`${r.event}\0${r.node}`, r.at);
    else if (r.kind === 'dead') dead.add(r.event);
    else if (r.kind === 'commit' && r.accepted) {
      for (const e of r.appliedEvents) if (!firstCommitNode.has(e)) firstCommitNode.set(e, r.node);
    }
  }
  const latencies: number[] = [];
  let processed = 0;
  let deadLettered = 0;
  for (const [event, hlc] of sends) {
    if (dead.has(event)) deadLettered++;
    const node = firstCommitNode.get(event);
    if (node === undefined) continue;
    processed++;
    const end = endAt.get(`${event}\0${node}`);
    if (end !== undefined) latencies.push(end - decodeHlc(hlc).wall);
  }
  latencies.sort((a, b) => a - b);
  return {
    sent: sends.size,
    processed,
    deadLettered,
    ...summary,
    ...failover(history, kill),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    ...asDelivered(history, summary.causalViolations),
  };
}

function asDelivered(history: History, causalViolations: number): Pick<Verdict, 'restampedSends' | 'causalViolationsAsDelivered'> {
  const delivered = new Map<string, string>();
  for (const r of history) if (r.kind === 'start' && !delivered.has(r.event)) delivered.set(r.event, r.hlc);
  let restampedSends = 0;
  const corrected = history.map((r): HistoryEvent => {
    const hlc = r.kind === 'send' && r.accepted ? delivered.get(r.event) : undefined;
    if (hlc === undefined || r.kind !== 'send' || hlc === r.hlc) return r;
    restampedSends++;
    return { ...r, hlc };
  });
  // Without re-stamped records the two checks read the same history: skip the second run.
  const causalViolationsAsDelivered = restampedSends === 0 ? causalViolations : checkCausal(corrected).length;
  return { restampedSends, causalViolationsAsDelivered };
}

function failover(history: History, kill: KillInfo | undefined): Pick<Verdict, 'failoverMs' | 'failoverPartitions'> {
  if (kill === undefined || kill.partitions.length === 0) return { failoverMs: null, failoverPartitions: null };
  const wanted = new Set(kill.partitions);
  const resumedAt = new Map<number, number>();
  for (const r of history) {
    if (r.kind !== 'commit' || !r.accepted || r.node === kill.node || r.at < kill.at || !wanted.has(r.partition)) continue;
    const seen = resumedAt.get(r.partition);
    if (seen === undefined || r.at < seen) resumedAt.set(r.partition, r.at);
  }
  const failoverPartitions = `${resumedAt.size}/${wanted.size}`;
  if (resumedAt.size === 0) return { failoverMs: null, failoverPartitions };
  return { failoverMs: Math.max(...resumedAt.values()) - kill.at, failoverPartitions };
}

/** Exact percentile (nearest rank) of sorted values; 0 when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Saga latency: each transfer's acceptance to its last commit, ms. */
export function settleLatencies(settled: readonly Settled[]): { p50Ms: number; p99Ms: number } {
  const values = settled.map((s) => s.settledAt - s.sentAt).sort((a, b) => a - b);
  return { p50Ms: percentile(values, 0.5), p99Ms: percentile(values, 0.99) };
}

/**
 * The demo's result: a short human summary and, with `--json`, the same as one JSON object
 * on the last line of stdout (what scripts and CI read). Decides the exit code.
 */
import type { Verdict } from './demo-verdict.ts';

export interface DemoResult extends Verdict {
  readonly totalBalanceBefore: number;
  readonly totalBalanceAfter: number;
  readonly transfers: {
    readonly sent: number;
    readonly failedToSend: number;
    /** Debited and credited. */
    readonly completed: number;
    /** Refused by the source account (insufficient funds). */
    readonly rejected: number;
    readonly deadLettered: number;
    /** Still had unprocessed events when the demo stopped waiting. */
    readonly unsettled: number;
    /** From the log accepting a transfer's START to the last commit of its saga, ms. */
    readonly settleP50Ms: number;
    readonly settleP99Ms: number;
  };
  readonly takeoverMs: number | null;
  readonly killed: { readonly node: string; readonly partitions: number; readonly restarted: boolean } | null;
  readonly nodes: number;
  readonly partitions: number;
  readonly leaseMs: number;
  readonly seed: number;
  readonly historyRecords: number;
  readonly durationMs: number;
  readonly sendErrors: readonly string[];
}

/** Every check the demo stands for; empty when the run is clean. */
export function failures(r: DemoResult): string[] {
  const problems: string[] = [];
  if (r.lost > 0) problems.push(`${r.lost} lost`);
  if (r.duplicates > 0) problems.push(`${r.duplicates} duplicated`);
  if (r.fifoViolations > 0) problems.push(`${r.fifoViolations} per-sender order violations`);
  // Judged by the stamps delivered: see `restampedSends` for why the raw count can differ.
  // The checker reads re-issued sends by their delivered stamp, so its own count decides.
  const causal = Math.max(r.causalViolations, r.causalViolationsAsDelivered);
  if (causal > 0) problems.push(`${causal} causal order violations`);
  if (r.doubleActivations > 0) problems.push(`${r.doubleActivations} double activations`);
  if (r.staleWrites > 0) problems.push(`${r.staleWrites} stale writes`);
  if (r.conflictingEmissions > 0) problems.push(`${r.conflictingEmissions} conflicting emissions`);
  if (r.hlcViolations > 0) problems.push(`${r.hlcViolations} HLC violations`);
  if (r.totalBalanceAfter !== r.totalBalanceBefore) problems.push(`balance ${r.totalBalanceBefore} -> ${r.totalBalanceAfter}`);
  if (r.transfers.unsettled > 0) problems.push(`${r.transfers.unsettled} transfers unsettled`);
  if (r.transfers.failedToSend > 0) problems.push(`${r.transfers.failedToSend} transfers not accepted`);
  if (r.killed && r.failoverMs === null) problems.push('failover not observed');
  return problems;
}

export function printReport(r: DemoResult, json: boolean): number {
  const problems = failures(r);
  const t = r.transfers;
  const lines = [
    '',
    `causeway demo: ${r.nodes} node processes, ${r.partitions} partitions, lease ${r.leaseMs} ms, seed ${r.seed}, ${(r.durationMs / 1000).toFixed(1)} s`,
    `  transfers   ${t.sent} sent: ${t.completed} completed, ${t.rejected} rejected, ${t.deadLettered} dead-lettered, ${t.unsettled} unsettled`,
    `  events      ${r.sent} accepted, ${r.processed} processed, ${r.deadLettered} dead-lettered (${r.historyRecords} history records)`,
    `  checks      lost ${r.lost}, duplicates ${r.duplicates}, fifo ${r.fifoViolations}, causal ${r.causalViolations}, double activations ${r.doubleActivations}, stale writes ${r.staleWrites}, hlc ${r.hlcViolations}`,
    `  money       before ${r.totalBalanceBefore}, after ${r.totalBalanceAfter}${r.totalBalanceAfter === r.totalBalanceBefore ? ' (conserved)' : ' (NOT conserved)'}`,
    `  latency     per event send->processed p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms; per transfer saga p50 ${t.settleP50Ms} ms, p99 ${t.settleP99Ms} ms`,
  ];
  if (r.killed) {
    lines.push(
      `  failover    ${r.killed.node} killed owning ${r.killed.partitions} partitions: owned elsewhere after ${r.takeoverMs ?? '-'} ms, ` +
        `processing elsewhere after ${r.failoverMs ?? '-'} ms (${r.failoverPartitions} partitions seen); ${r.killed.restarted ? 'restarted' : 'not restarted'}`,
    );
  }
  if (r.restampedSends > 0) {
    lines.push(
      `  re-stamped  ${r.restampedSends} send records carry a stamp their delivery did not (re-emitted by a replay, dropped by the log as duplicates): ` +
        `causal violations ${r.causalViolations} by the send records, ${r.causalViolationsAsDelivered} by the stamps actually delivered`,
    );
  }
  for (const e of r.sendErrors) lines.push(`  send error  ${e}`);
  lines.push(problems.length === 0 ? '  verdict     OK' : `  verdict     FAILED: ${problems.join(', ')}`);
  console.log(lines.join('\n'));
  if (json) console.log(JSON.stringify({ ok: problems.length === 0, ...r }));
  return problems.length === 0 ? 0 : 1;
}

/**
 * The result of `causeway chaos`: a short human summary and one JSON object on the last line
 * of stdout (what `npm run chaos`, scripts and the tests read). Decides the exit code.
 */
import type { FaultOutcome } from './chaos-faults.ts';
import type { StuckPartition } from './chaos-settle.ts';
import type { BankCheck, CounterCheck, HistoryCheck } from './chaos-verdict.ts';

export interface SendCounts {
  readonly sent: number;
  readonly accepted: number;
  readonly notAccepted: number;
  /** Not accepted to the caller, yet the log kept them and they took effect. */
  readonly appliedThoughNotAccepted: number;
}

export interface ChaosResult {
  readonly history: Omit<HistoryCheck, 'details'>;
  readonly balanceConserved: boolean;
  readonly bank: BankCheck;
  readonly counters: CounterCheck;
  readonly sends: { readonly transfers: SendCounts; readonly deposits: SendCounts; readonly adds: SendCounts };
  /** Events still open when the run stopped waiting. */
  readonly unsettled: number;
  readonly stuckPartitions: readonly StuckPartition[];
  /** Load stop to the last event settled, ms; null when it did not settle. */
  readonly settleMs: number | null;
  /** Client calls that matched no send record of their client (should be none). */
  readonly unmatchedCalls: number;
  readonly faults: readonly FaultOutcome[];
  readonly seed: number;
  readonly nodes: number;
  readonly partitions: number;
  readonly leaseMs: number;
  readonly loadMs: number;
  readonly historyRecords: number;
  readonly durationMs: number;
  readonly sendErrors: readonly string[];
  /** What could not be done at the end (final reads). */
  readonly errors: readonly string[];
  readonly details: string;
}

/** Every check the run stands for; empty when it is clean. */
export function failures(r: ChaosResult): string[] {
  const h = r.history;
  const problems: string[] = [];
  const count = (n: number, what: string) => n > 0 && problems.push(`${n} ${what}`);
  count(h.lost, 'lost');
  count(h.duplicates, 'duplicated');
  count(h.conflictingEmissions, 'conflicting emissions');
  count(h.fifoViolations, 'per-sender order violations');
  // Judged by the stamps delivered: a replay's re-emission, dropped by the log as a duplicate,
  // leaves a send record with a stamp nobody received (see chaos-verdict.ts `asDelivered`).
  // The raw count is reported next to it, never dropped.
  // The checker reads re-issued sends by their delivered stamp now, so its own count decides;
  // the re-derived count stays in the verdict as a cross-check.
  count(Math.max(h.causalViolations, h.causalViolationsAsDelivered), 'causal violations');
  count(h.doubleActivations, 'double activations');
  count(h.staleWrites, 'stale writes');
  count(h.hlcViolations, 'HLC violations');
  if (!r.balanceConserved) problems.push(r.bank.after === null ? 'balances unreadable' : `balance ${r.bank.after}, expected ${r.bank.expected}`);
  const c = r.counters;
  if (!c.read) problems.push('counters unreadable');
  count(c.outOfOrder, 'counter events out of order');
  count(c.repeated, 'counter events applied twice');
  count(c.missing, 'counter events missing');
  count(c.unexpected, 'counter events unexpected');
  count(r.unsettled, 'events unsettled');
  count(r.unmatchedCalls, 'client calls without a send record');
  for (const kind of ['kill', 'pause', 'nats-restart'] as const) {
    if (!r.faults.some((f) => f.kind === kind)) problems.push(`no ${kind} happened`);
  }
  return problems;
}

export function printReport(r: ChaosResult, json: boolean): number {
  const problems = failures(r);
  const h = r.history;
  const s = r.sends;
  const sends = (name: string, c: SendCounts) =>
    `${name} ${c.accepted}/${c.sent} accepted${c.appliedThoughNotAccepted > 0 ? ` (+${c.appliedThoughNotAccepted} applied though not accepted)` : ''}`;
  const lines = [
    '',
    `causeway chaos: ${r.nodes} node processes, ${r.partitions} partitions, lease ${r.leaseMs} ms, seed ${r.seed}, load ${(r.loadMs / 1000).toFixed(1)} s, total ${(r.durationMs / 1000).toFixed(1)} s`,
    `  sends       ${sends('transfers', s.transfers)}, ${sends('deposits', s.deposits)}, ${sends('fifo', s.adds)}`,
    `  events      ${h.eventsAccepted} accepted, ${h.eventsCommitted} committed, ${h.deadLettered} dead-lettered, ${r.unsettled} unsettled (${r.settleMs === null ? 'not settled' : `settled ${r.settleMs} ms after the load`}; ${r.historyRecords} history records)`,
    `  checks      lost ${h.lost}, duplicates ${h.duplicates}, fifo ${h.fifoViolations}, causal ${h.causalViolations}, double activations ${h.doubleActivations}, stale writes ${h.staleWrites}, hlc ${h.hlcViolations}`,
    `  bank        before ${r.bank.before}, after ${r.bank.after}, expected ${r.bank.expected}${r.balanceConserved ? ' (conserved)' : ' (NOT conserved)'}`,
    `  counters    ${r.counters.counters} x ${r.counters.senders} senders: out of order ${r.counters.outOfOrder}, repeated ${r.counters.repeated}, missing ${r.counters.missing}, unexpected ${r.counters.unexpected}`,
  ];
  for (const f of r.faults) {
    const extra = f.sendsAcceptedAfterMs === undefined ? '' : `, sends accepted again after ${f.sendsAcceptedAfterMs ?? '-'} ms`;
    lines.push(`  fault       +${(f.atMs / 1000).toFixed(1)} s ${f.kind} ${f.target}: away ${f.downMs} ms${extra}, healed after ${f.healedMs ?? '-'} ms`);
  }
  if (h.restampedSends > 0) {
    lines.push(
      `  re-stamped  ${h.restampedSends} first send records carry a stamp their delivery did not: the event was sent again under its id ` +
        `with a new stamp (a replay, or a retry) and the log dropped that copy as a duplicate, while the original's record comes later ` +
        `(${h.restamped.originalLater}: its writer was paused), says not accepted (${h.restamped.originalUnacknowledged}: its ack was lost) ` +
        `or never came (${h.restamped.originalMissing}: its writer was killed); ` +
        `causal violations ${h.causalViolations} by the send records, ${h.causalViolationsAsDelivered} by the stamps actually delivered`,
    );
  }
  for (const s of r.stuckPartitions) lines.push(`  stuck       partition ${s.partition} (owned by ${s.owners.join(', ') || 'nobody'}): ${s.openEvents} open events`);
  for (const e of r.sendErrors) lines.push(`  send error  ${e}`);
  for (const e of r.errors) lines.push(`  error       ${e}`);
  if (r.details !== 'no violations') lines.push(...r.details.split('\n').map((l) => `  | ${l}`));
  lines.push(problems.length === 0 ? '  verdict     OK' : `  verdict     FAILED: ${problems.join(', ')}`);
  console.log(lines.join('\n'));
  if (json) console.log(JSON.stringify(verdictLine(r, problems)));
  return problems.length === 0 ? 0 : 1;
}

/** The flat JSON verdict: the counts first, then what helps to read them. */
function verdictLine(r: ChaosResult, problems: readonly string[]) {
  const h = r.history;
  const nats = r.faults.find((f) => f.kind === 'nats-restart');
  return {
    ok: problems.length === 0,
    lost: h.lost,
    duplicates: h.duplicates,
    fifoViolations: h.fifoViolations,
    causalViolations: h.causalViolations,
    causalViolationsAsDelivered: h.causalViolationsAsDelivered,
    restampedSends: h.restampedSends,
    restamped: h.restamped,
    doubleActivations: h.doubleActivations,
    staleWrites: h.staleWrites,
    conflictingEmissions: h.conflictingEmissions,
    hlcViolations: h.hlcViolations,
    balanceConserved: r.balanceConserved,
    counterViolations: r.counters.outOfOrder + r.counters.repeated + r.counters.missing + r.counters.unexpected,
    unsettled: r.unsettled,
    stuckPartitions: r.stuckPartitions,
    events: { accepted: h.eventsAccepted, committed: h.eventsCommitted, deadLettered: h.deadLettered },
    sends: r.sends,
    bank: r.bank,
    counters: r.counters,
    kills: r.faults.filter((f) => f.kind === 'kill').length,
    pauses: r.faults.filter((f) => f.kind === 'pause').length,
    natsRestarts: r.faults.filter((f) => f.kind === 'nats-restart').length,
    natsDownMs: nats?.downMs ?? null,
    natsSendsAcceptedAfterMs: nats?.sendsAcceptedAfterMs ?? null,
    faults: r.faults,
    settleMs: r.settleMs,
    seed: r.seed,
    nodes: r.nodes,
    partitions: r.partitions,
    leaseMs: r.leaseMs,
    loadMs: r.loadMs,
    durationMs: r.durationMs,
    historyRecords: r.historyRecords,
    errors: r.errors,
    problems,
  };
}

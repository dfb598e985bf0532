/**
 * What a chaos run shows, judged from the merged history of every process and from the
 * actors' own state read back at the end (never from the nodes' say-so):
 * - the test kit's checkers (`checkAll`, per-node order) for G1-G5;
 * - the bank: the total after = the total before + every deposit that took effect (accepted
 *   ones, plus failed-to-the-caller ones the history shows committed);
 * - the FIFO counters: each holds, per sender, exactly the numbers that took effect, and saw
 *   none out of order or twice.
 */
import type { CounterState } from '../examples/fifo/actors.ts';
import { numbersOf } from '../examples/fifo/actors.ts';
import { checkAll, checkCausal, formatReport, type Summary } from '../testing/checkers/index.ts';
import type { History, HistoryEvent } from '../testing/history.ts';
import type { Call } from './chaos-ledger.ts';
import { counterId } from './chaos-workload.ts';

export interface BankCheck {
  readonly before: number;
  /** Null when the final balances could not be read. */
  readonly after: number | null;
  /** `before` + deposits that took effect. */
  readonly expected: number;
  readonly depositsAccepted: number;
  readonly depositsNotAccepted: number;
  /** Deposits that failed to the caller but the log kept and an account applied. */
  readonly depositsAppliedThoughNotAccepted: number;
}

export interface CounterCheck {
  /** False when the counters could not be read back (then nothing below was checked). */
  readonly read: boolean;
  readonly counters: number;
  readonly senders: number;
  readonly outOfOrder: number;
  readonly repeated: number;
  /** Numbers that took effect (by the history) but the counter does not hold. */
  readonly missing: number;
  /** Numbers the counter holds that never took effect (by the history). */
  readonly unexpected: number;
}

export interface HistoryCheck extends Summary {
  /** First send records whose stamp is not the one their processing saw (see `asDelivered`). */
  readonly restampedSends: number;
  /**
   * Of those, where the original send record (the one with the delivered stamp) is: later in
   * the merged history (its writer was paused between the append and its record), marked not
   * accepted (the append's ack was lost, e.g. in the nats outage, and the send was retried
   * under a new stamp), or missing (its writer was killed between the append and its record).
   */
  readonly restamped: { readonly originalLater: number; readonly originalUnacknowledged: number; readonly originalMissing: number };
  /** The causal checker again, each send judged by the stamp it was processed with. */
  readonly causalViolationsAsDelivered: number;
  /** Distinct events the log accepted (client sends and emissions). */
  readonly eventsAccepted: number;
  /** Distinct events in an accepted commit. */
  readonly eventsCommitted: number;
  readonly deadLettered: number;
  /** The first violations, readable. */
  readonly details: string;
}

/** Events in an accepted commit. */
export function committedEvents(history: History): Set<string> {
  const committed = new Set<string>();
  for (const r of history) if (r.kind === 'commit' && r.accepted) for (const e of r.appliedEvents) committed.add(e);
  return committed;
}

export function checkHistory(history: History): HistoryCheck {
  const report = checkAll(history, { order: 'per-node' });
  const accepted = new Set<string>();
  const dead = new Set<string>();
  for (const r of history) {
    if (r.kind === 'send' && r.accepted) accepted.add(r.event);
    else if (r.kind === 'dead') dead.add(r.event);
  }
  return {
    ...report.summary,
    ...asDelivered(history, report.summary.causalViolations),
    eventsAccepted: accepted.size,
    eventsCommitted: committedEvents(history).size,
    deadLettered: dead.size,
    details: formatReport(report, 5),
  };
}

/**
 * An event sent again under its id gets a new HLC stamp: a turn replayed after a crash or a
 * takeover re-emits its events, and an emission whose append was not acknowledged is retried
 * (runtime/node.ts `emit`). The log drops such a copy as a duplicate, yet the router records
 * it as an accepted send with its new stamp. When the original's record is missing (its
 * writer died before the ack), says "not accepted" (the ack was lost) or comes later in the
 * merged history (its writer was paused), the checkers take the copy for the send, with a
 * stamp nobody received. Here each send is judged again with the stamp its processing
 * actually saw (`start` records carry the delivered envelope's stamp).
 */
function asDelivered(history: History, causalViolations: number): Pick<HistoryCheck, 'restampedSends' | 'restamped' | 'causalViolationsAsDelivered'> {
  const delivered = new Map<string, string>();
  const stamps = new Map<string, boolean>(); // `${event}\0${hlc}` of every send record -> accepted (by any)
  for (const r of history) {
    if (r.kind === 'start' && !delivered.has(r.event)) delivered.set(r.event, r.hlc);
    else if (r.kind === 'send') stamps.set(`${r.event}\0${r.hlc}`, r.accepted || stamps.get(`${r.event}\0${r.hlc}`) === true);
  }
  const first = new Set<string>();
  const restamped = { originalLater: 0, originalUnacknowledged: 0, originalMissing: 0 };
  const corrected = history.map((r): HistoryEvent => {
    if (r.kind !== 'send' || !r.accepted || first.has(r.event)) return r;
    first.add(r.event); // only the first accepted record of an event is read by the checkers
    const hlc = delivered.get(r.event);
    if (hlc === undefined || hlc === r.hlc) return r;
    const original = stamps.get(`${r.event}\0${hlc}`);
    if (original === true) restamped.originalLater++;
    else if (original === false) restamped.originalUnacknowledged++;
    else restamped.originalMissing++;
    return { ...r, hlc };
  });
  const restampedSends = restamped.originalLater + restamped.originalUnacknowledged + restamped.originalMissing;
  return { restampedSends, restamped, causalViolationsAsDelivered: restampedSends === 0 ? causalViolations : checkCausal(corrected).length };
}

export function checkBank(calls: readonly Call[], committed: ReadonlySet<string>, before: number, after: number | null): BankCheck {
  let expected = before;
  let depositsAccepted = 0;
  let depositsNotAccepted = 0;
  let depositsAppliedThoughNotAccepted = 0;
  for (const c of calls) {
    if (c.kind !== 'deposit') continue;
    if (c.accepted) {
      depositsAccepted++;
      expected += c.value;
    } else {
      depositsNotAccepted++;
      if (c.event !== undefined && committed.has(c.event)) {
        depositsAppliedThoughNotAccepted++;
        expected += c.value;
      }
    }
  }
  return { before, after, expected, depositsAccepted, depositsNotAccepted, depositsAppliedThoughNotAccepted };
}

/**
 * `states[k][j]`: counter j as read by FIFO sender `senders[k]` after all its adds; each
 * read is judged for that sender's part only. Undefined: they could not be read.
 */
export function checkCounters(
  calls: readonly Call[],
  committed: ReadonlySet<string>,
  senders: readonly string[],
  states: readonly (readonly CounterState[])[] | undefined,
): CounterCheck {
  if (states === undefined) return { read: false, counters: 0, senders: senders.length, outOfOrder: 0, repeated: 0, missing: 0, unexpected: 0 };
  const counters = states[0]?.length ?? 0;
  let outOfOrder = 0;
  let repeated = 0;
  let missing = 0;
  let unexpected = 0;
  const effective = new Map<string, Set<number>>(); // `${sender}\0${counter key}` -> numbers
  for (const c of calls) {
    if (c.kind !== 'add') continue;
    if (!c.accepted && !(c.event !== undefined && committed.has(c.event))) continue;
    const key = `${c.client}\0${c.to}`;
    let set = effective.get(key);
    if (set === undefined) effective.set(key, (set = new Set()));
    set.add(c.value);
  }
  for (let j = 0; j < counters; j++) {
    outOfOrder += Math.max(...states.map((s) => s[j]!.outOfOrder));
    repeated += Math.max(...states.map((s) => s[j]!.repeated));
    senders.forEach((sender, k) => {
      const want = effective.get(`${sender}\0counter/${counterId(j)}`) ?? new Set<number>();
      const have = new Set(numbersOf(states[k]![j]!.senders[sender]?.ranges ?? []));
      for (const n of want) if (!have.has(n)) missing++;
      for (const n of have) if (!want.has(n)) unexpected++;
    });
  }
  return { read: true, counters, senders: senders.length, outOfOrder, repeated, missing, unexpected };
}

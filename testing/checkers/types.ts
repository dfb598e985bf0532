/**
 * What the guarantee checkers share: the violation they report and their options.
 */

import type { HistoryEvent } from '../history.ts';

export type CheckerName = 'fifo' | 'causal' | 'exactly-once' | 'single-activation' | 'hlc';

/** What exactly went wrong; `summarizeViolations` counts by it. */
export type ViolationKind =
  /** G3: a later `seq` of one sender was processed before an earlier one. */
  | 'fifo-order'
  /** G3: two different accepted events of one (from, to) carry the same `seq`. */
  | 'fifo-seq-reuse'
  /** G4: e1 happened before e2, both to one actor, but e2 was processed first. */
  | 'causal-order'
  /** G4: e1 happened before e2, both to one actor, but `hlc(e1) >= hlc(e2)`. */
  | 'causal-hlc'
  /** G4: an event was processed before the processing that emitted it. */
  | 'causal-cycle'
  /** G5: an accepted event was neither processed nor dead-lettered. */
  | 'lost'
  /** G5: an event took effect (or was dead-lettered) more than once. */
  | 'duplicate'
  /** G5: one event id was emitted with different (from, to, seq). */
  | 'conflicting-emission'
  /** G2: two processings of one actor at once, or under two owners' epochs. */
  | 'double-activation'
  /** G2: the store accepted a write older than an epoch it had already accepted. */
  | 'stale-write'
  /** G1: a record carries an HLC string that does not parse. */
  | 'hlc-malformed'
  /** G1: a node's readings did not strictly increase. */
  | 'hlc-not-increasing'
  /** G1: a reading taken after receiving an event is not above the event's stamp. */
  | 'hlc-receive'
  /** G1: `l - pt` exceeded `maxOffsetMs`. */
  | 'hlc-offset';

export interface Violation {
  readonly checker: CheckerName;
  readonly kind: ViolationKind;
  /** Short, lowercase, quoting the ids involved. */
  readonly message: string;
  /** The offending records, as they appear in the history. */
  readonly events: HistoryEvent[];
}

/**
 * How far the recorded order can be trusted:
 * - `'global'`: one process recorded the whole history (simulated cluster), so the order of
 *   records from different nodes is real-time order;
 * - `'per-node'`: merged from several processes; only each node's own order is real.
 */
export type HistoryOrder = 'global' | 'per-node';

export interface CheckOptions {
  /** Which record order to trust (see `HistoryOrder`). Default `'global'`. */
  readonly order?: HistoryOrder;
  /** G1 bound on how far an HLC's wall part may run ahead of physical time, ms. Default 500. */
  readonly maxOffsetMs?: number;
}

export const DEFAULT_ORDER: HistoryOrder = 'global';
export const DEFAULT_MAX_OFFSET_MS = 500;

export function defaultCheckOptions(): Required<CheckOptions> {
  return { order: DEFAULT_ORDER, maxOffsetMs: DEFAULT_MAX_OFFSET_MS };
}

/** Fills in defaults and rejects nonsense, saying which option is wrong. */
export function parseCheckOptions(options: CheckOptions = {}): Required<CheckOptions> {
  const parsed = { ...defaultCheckOptions(), ...stripUndefined(options) };
  if (parsed.order !== 'global' && parsed.order !== 'per-node') {
    throw new RangeError(`invalid option 'order': ${JSON.stringify(parsed.order)}`);
  }
  if (!(Number.isFinite(parsed.maxOffsetMs) && parsed.maxOffsetMs >= 0)) {
    throw new RangeError(`invalid option 'maxOffsetMs': ${parsed.maxOffsetMs}`);
  }
  return parsed;
}

function stripUndefined(options: CheckOptions): CheckOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

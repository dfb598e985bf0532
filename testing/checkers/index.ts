/**
 * The guarantee checkers of the test kit: each reads a recorded `History` (never runtime
 * internals) and returns the violations it finds, with the offending records.
 */

import type { History } from '../history.ts';
import { checkCausal } from './causal.ts';
import { checkExactlyOnce } from './exactly-once.ts';
import { checkFifo } from './fifo.ts';
import { checkHlc } from './hlc.ts';
import { checkSingleActivation } from './single-activation.ts';
import { summarizeViolations, type Summary } from './summary.ts';
import { parseCheckOptions, type CheckOptions, type Violation } from './types.ts';

export { checkCausal, checkExactlyOnce, checkFifo, checkHlc, checkSingleActivation };
export { summarize, summarizeViolations, type Summary } from './summary.ts';
export {
  DEFAULT_MAX_OFFSET_MS,
  DEFAULT_ORDER,
  defaultCheckOptions,
  type CheckOptions,
  type CheckerName,
  type HistoryOrder,
  type Violation,
  type ViolationKind,
} from './types.ts';

export interface CheckReport {
  /** No checker found anything. */
  readonly ok: boolean;
  readonly violations: {
    readonly fifo: Violation[];
    readonly causal: Violation[];
    readonly exactlyOnce: Violation[];
    readonly singleActivation: Violation[];
    readonly hlc: Violation[];
  };
  readonly summary: Summary;
}

/** Runs every checker (G1-G5) over `history`. */
export function checkAll(history: History, options?: CheckOptions): CheckReport {
  const parsed = parseCheckOptions(options);
  const violations = {
    fifo: checkFifo(history),
    causal: checkCausal(history),
    exactlyOnce: checkExactlyOnce(history),
    singleActivation: checkSingleActivation(history, parsed),
    hlc: checkHlc(history, parsed),
  };
  const all = Object.values(violations).flat();
  return { ok: all.length === 0, violations, summary: summarizeViolations(all) };
}

/**
 * A readable account of a report for test failure messages: the summary, then up to
 * `limit` violations with their records.
 */
export function formatReport(report: CheckReport, limit = 10): string {
  const all = Object.values(report.violations).flat();
  if (all.length === 0) return 'no violations';
  const counts = Object.entries(report.summary)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name}=${n}`)
    .join(' ');
  const lines = [`${all.length} violation(s): ${counts}`];
  for (const v of all.slice(0, limit)) {
    lines.push(`- [${v.checker}/${v.kind}] ${v.message}`);
    for (const r of v.events) lines.push(`    ${JSON.stringify(r)}`);
  }
  if (all.length > limit) lines.push(`... and ${all.length - limit} more`);
  return lines.join('\n');
}

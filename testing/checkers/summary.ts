/**
 * Violation counts per guarantee, for assertions like `expect(summary.lost).toBe(0)` and
 * for printing after a chaos run.
 */

import type { History } from '../history.ts';
import { checkCausal } from './causal.ts';
import { checkExactlyOnce } from './exactly-once.ts';
import { checkFifo } from './fifo.ts';
import { checkHlc } from './hlc.ts';
import { checkSingleActivation } from './single-activation.ts';
import type { CheckOptions, Violation } from './types.ts';

export interface Summary {
  /** Accepted events neither processed nor dead-lettered (G5). */
  readonly lost: number;
  /** Events that took effect, or were dead-lettered, more than once (G5). */
  readonly duplicates: number;
  /** Event ids emitted with different (from, to, seq) (G5). */
  readonly conflictingEmissions: number;
  /** Per-sender order inversions and reused sequence numbers (G3). */
  readonly fifoViolations: number;
  /** Causal order, causal HLC and cycle violations (G4). */
  readonly causalViolations: number;
  /** Overlapping processings, stale owners and shared epochs (G2). */
  readonly doubleActivations: number;
  /** Accepted writes under an epoch older than one already written (G2). */
  readonly staleWrites: number;
  /** Malformed, non-increasing, receive-ignoring or too-far-ahead clock readings (G1). */
  readonly hlcViolations: number;
}

/** Counts violations already found. */
export function summarizeViolations(violations: readonly Violation[]): Summary {
  const count = (test: (v: Violation) => boolean): number => violations.filter(test).length;
  return {
    lost: count((v) => v.kind === 'lost'),
    duplicates: count((v) => v.kind === 'duplicate'),
    conflictingEmissions: count((v) => v.kind === 'conflicting-emission'),
    fifoViolations: count((v) => v.checker === 'fifo'),
    causalViolations: count((v) => v.checker === 'causal'),
    doubleActivations: count((v) => v.kind === 'double-activation'),
    staleWrites: count((v) => v.kind === 'stale-write'),
    hlcViolations: count((v) => v.checker === 'hlc'),
  };
}

/** Runs every checker over `history` and counts what they found. */
export function summarize(history: History, options?: CheckOptions): Summary {
  return summarizeViolations([
    ...checkFifo(history),
    ...checkCausal(history),
    ...checkExactlyOnce(history),
    ...checkSingleActivation(history, options),
    ...checkHlc(history, options),
  ]);
}

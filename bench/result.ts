/**
 * What a scenario hands back: rows for the summary table (one per measured comparison) plus
 * free-form details and notes. `bench/out/<scenario>.json` holds one `ScenarioResult`;
 * `results-md.ts` renders them all into `bench/RESULTS.md`.
 */
import type { Comparison } from './harness.ts';

export type Mode = 'quick' | 'full';

/** Latency percentiles, µs. */
export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface ResultRow {
  /** Stable key in the final JSON line, e.g. `savina/ping-pong`. */
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly ours: number;
  readonly baseline: number;
  /** ours / baseline for throughput; for latency rows the latency ratio (lower is better). */
  readonly ratio: number;
  readonly goal?: string;
  /** undefined: no goal set for this row. */
  readonly met?: boolean;
  readonly oursLatency?: Percentiles;
  readonly baselineLatency?: Percentiles;
  readonly rounds?: { readonly ours: readonly number[]; readonly baseline: readonly number[] };
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly title: string;
  readonly mode: Mode;
  readonly date: string;
  readonly command: string;
  readonly seconds: number;
  readonly machine: Record<string, string | number>;
  readonly oursName: string;
  readonly baselineName: string;
  readonly rows: ResultRow[];
  readonly notes?: string[];
  readonly details?: unknown;
}

/** Options every scenario gets from the runner. */
export interface ScenarioContext {
  readonly mode: Mode;
  /** Results of the scenarios that ran before in this run (e.g. the cross-node max rate). */
  readonly previous: Readonly<Record<string, ScenarioResult>>;
}

export type ScenarioBody = Omit<ScenarioResult, 'scenario' | 'mode' | 'date' | 'command' | 'seconds' | 'machine'>;

/** A throughput comparison as a summary row. */
export function rowOf(id: string, label: string, c: Comparison, goal?: { text: string; min: number }): ResultRow {
  return {
    id,
    label,
    unit: c.unit,
    ours: c.ours.median,
    baseline: c.baseline.median,
    ratio: c.ratio,
    ...(goal ? { goal: goal.text, met: c.ratio >= goal.min } : {}),
    rounds: { ours: c.ours.rounds, baseline: c.baseline.rounds },
  };
}

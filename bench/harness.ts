/**
 * Shared bench plumbing: alternate a scenario with its baseline in the same process, take
 * medians, and describe the machine. Speed is only ever reported as a ratio against a
 * baseline measured in the same run.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';

export interface Measured {
  readonly name: string;
  /** Operations per second, one value per round. */
  readonly rounds: number[];
  readonly median: number;
}

export interface Comparison {
  readonly scenario: string;
  readonly unit: string;
  readonly ours: Measured;
  readonly baseline: Measured;
  readonly ratio: number;
  readonly goal?: string;
  readonly extra?: Record<string, unknown>;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `ours` and `baseline` alternately `rounds` times; each returns ops/s. */
export async function alternate(
  scenario: string,
  unit: string,
  rounds: number,
  ours: { name: string; run: () => Promise<number> },
  baseline: { name: string; run: () => Promise<number> },
): Promise<Comparison> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await baseline.run());
    a.push(await ours.run());
  }
  const oursM = { name: ours.name, rounds: a, median: median(a) };
  const baseM = { name: baseline.name, rounds: b, median: median(b) };
  return { scenario, unit, ours: oursM, baseline: baseM, ratio: oursM.median / baseM.median };
}

export function machine(): Record<string, string | number> {
  let pkg: { dependencies?: Record<string, string> } = {};
  try {
    pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  } catch {
    /* versions are informative only */
  }
  return {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    xstate: pkg.dependencies?.xstate ?? '?',
    nats: pkg.dependencies?.['@nats-io/jetstream'] ?? '?',
  };
}

/**
 * Issues `count` operations with at most `window` in flight; resolves when all settled.
 * (A `Promise.race` over the in-flight set would cost O(window) per operation.)
 */
export function pipelined(count: number, window: number, op: (i: number) => Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let inFlight = 0;
    let failed = false;
    const launch = (): void => {
      while (!failed && inFlight < window && next < count) {
        const i = next++;
        inFlight++;
        op(i).then(
          () => {
            inFlight--;
            if (next === count && inFlight === 0) resolve();
            else launch();
          },
          (err) => {
            failed = true;
            reject(err);
          },
        );
      }
    };
    if (count === 0) resolve();
    else launch();
  });
}

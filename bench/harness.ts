/**
 * Shared bench plumbing: alternate a scenario with its baseline in the same process, take
 * medians, describe the machine, report progress on stderr, force a GC for heap readings,
 * and clean up (nodes, nats-servers) even when a scenario fails. Speed is only ever
 * reported as a ratio against a baseline measured in the same run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';

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
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `ours` and `baseline` alternately `rounds` times (baseline first); each returns ops/s. */
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
    progress(`${scenario} round ${i + 1}/${rounds}: ${baseline.name} ${fmt(b.at(-1)!)} · ${ours.name} ${fmt(a.at(-1)!)} ${unit}`);
  }
  const oursM = { name: ours.name, rounds: a, median: median(a) };
  const baseM = { name: baseline.name, rounds: b, median: median(b) };
  return { scenario, unit, ours: oursM, baseline: baseM, ratio: oursM.median / baseM.median };
}

/** Progress goes to stderr, so stdout carries only results. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** A number with thousands separators, no decimals. */
export function fmt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n);
}

function installedVersion(pkg: string): string {
  try {
    const url = new URL(`../node_modules/${pkg}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function natsServerVersion(): string {
  try {
    const bin = process.env.NATS_SERVER_BIN ?? 'nats-server';
    return execFileSync(bin, ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin` } }).trim();
  } catch {
    return '?';
  }
}

/** The machine and the versions a result was measured with (installed, not declared). */
export function machine(): Record<string, string | number> {
  return {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    xstate: installedVersion('xstate'),
    nats: installedVersion('@nats-io/jetstream'),
    natsCore: installedVersion('@nats-io/transport-node'),
    msgpack: installedVersion('@msgpack/msgpack'),
    hdrHistogram: installedVersion('hdr-histogram-js'),
    natsServer: natsServerVersion(),
    loadAvg1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

let gcFn: (() => void) | undefined;

/** A full GC (exposed at run time, so `tsx bench/run.ts` needs no `--expose-gc`). */
export function gc(): void {
  if (gcFn === undefined) {
    v8.setFlagsFromString('--expose_gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

/** Heap in use after a full GC, bytes. */
export function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];

/** Registers something to stop at the end of the run, failed or not (last in, first out). */
export function onCleanup(fn: () => Promise<unknown> | unknown): () => void {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** Runs every registered cleanup once; a failing one does not stop the others. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (err) {
      progress(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Resolves when `done()` says so, polling every `everyMs`; rejects after `timeoutMs`. */
export async function waitFor(what: string, done: () => boolean, timeoutMs: number, everyMs = 2): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A promise with its resolve, for "all processed" signals. */
export function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Rejects with a clear message if `p` takes longer than `ms`. */
export async function within<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
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

/**
 * The simulator's scheduler: one queue of tasks for everything that happens in the memory
 * transport (log appends and deliveries, acks, commits, wire messages, node timers).
 *
 * - `sim` mode: time is virtual (integer ms) and moves only when nothing is due. Among the
 *   tasks due now, `step()` picks one with the seeded RNG: that choice is where reorderings
 *   and interleavings come from, and the seed reproduces them.
 * - `auto` mode: for ordinary single-process use. Tasks run as soon as they are due, driven
 *   by `setImmediate`/`setTimeout`, and time is the wall clock.
 *
 * Tasks may belong to a node. A paused node's tasks wait (SIGSTOP: nothing runs for it, not
 * even its timers); a crashed node's tasks are dropped, and new ones are refused.
 */
import type { Timers } from '../../runtime/types.ts';
import { SkewedClock } from './node-clock.ts';
import { Rng } from './rng.ts';
import { RealTimeDriver } from './real-time-driver.ts';
import { TaskQueue } from './task-queue.ts';

export type SchedulerMode = 'sim' | 'auto';

/** Virtual time a simulation starts at, ms since the Unix epoch. */
export const DEFAULT_SIM_EPOCH_MS = 1_700_000_000_000;

export interface SchedulerOptions {
  /** Default `'sim'`. */
  mode?: SchedulerMode;
  /** Source of the scheduling choices; default `new Rng()`. */
  rng?: Rng;
  /** Virtual start time in sim mode, ms; default `DEFAULT_SIM_EPOCH_MS`. */
  epochMs?: number;
  /** Where a task that throws is reported; default `console.error`. */
  onError?: (error: unknown, label: string) => void;
}

export interface TaskOptions {
  /** Due this many ms from now; default 0. */
  delayMs?: number;
  /** Due at this time, ms since the epoch (instead of `delayMs`; a past time means now). */
  at?: number;
  /** The node the task runs on: it waits while the node is paused, and dies with it. */
  node?: string;
}

export interface RunOptions {
  /** Stop after this many tasks; default unlimited. */
  maxSteps?: number;
  /** Run only tasks due at or before this virtual time, then set the time to it. */
  untilTime?: number;
}

export interface RunResult {
  readonly steps: number;
  /** Nothing was left to run (paused nodes' tasks do not count). */
  readonly idle: boolean;
  readonly time: number;
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class SimScheduler implements Timers {
  readonly mode: SchedulerMode;
  private time: number;
  private readonly rng: Rng;
  private readonly onError: (error: unknown, label: string) => void;
  private readonly queue = new TaskQueue();
  private readonly observers = new Set<(label: string, time: number) => void>();
  private readonly clocks = new Map<string, SkewedClock>();
  private readonly incarnations = new Map<string, number>();
  /** Auto mode only: runs tasks in real time. */
  private readonly driver: RealTimeDriver | undefined;

  constructor(options: SchedulerOptions = {}) {
    this.mode = options.mode ?? 'sim';
    this.rng = options.rng ?? new Rng();
    this.time = options.epochMs ?? DEFAULT_SIM_EPOCH_MS;
    this.onError = options.onError ?? ((error, label) => console.error(`memory transport: task '${label}' failed`, error));
    if (this.mode === 'auto') this.driver = new RealTimeDriver(() => this.queue.nextDueAt(this.now()), () => this.step());
  }

  /** Current time, integer ms since the epoch (virtual in sim mode, wall clock in auto mode). */
  now(): number {
    return this.mode === 'sim' ? this.time : Date.now();
  }

  /** Current time in µs (sim: `now() * 1000`; auto: the monotonic high-resolution timer). */
  micros(): number {
    return this.mode === 'sim' ? this.time * 1000 : (performance.timeOrigin + performance.now()) * 1000;
  }

  /** Queues `fn`; returns a function that cancels it. Labels make up the run's trace. */
  schedule(label: string, fn: () => void, options: TaskOptions = {}): () => void {
    const now = this.now();
    const delay = Math.max(0, Math.ceil(options.at !== undefined ? options.at - now : (options.delayMs ?? 0)));
    const task = this.queue.add(label, fn, now + delay, now, options.node);
    if (task === undefined) return () => {};
    this.driver?.arm();
    return () => {
      this.queue.cancel(task);
      this.driver?.arm();
    };
  }

  /** `Timers` for the cluster itself (runs whatever the state of the nodes). */
  setTimer(delayMs: number, fn: () => void): () => void {
    return this.schedule('timer', fn, { delayMs });
  }

  /** `Timers` for a node: they do not fire while it is paused, and die with it. */
  timersFor(nodeId: string): Timers {
    // Bound to the node's current incarnation: a crashed process's timers never come back,
    // even after the node id restarts (its leftover code may still try to set some).
    const incarnation = this.incarnations.get(nodeId) ?? 0;
    return {
      setTimer: (delayMs, fn) =>
        (this.incarnations.get(nodeId) ?? 0) === incarnation
          ? this.schedule(`timer ${nodeId}`, fn, { delayMs, node: nodeId })
          : () => undefined,
    };
  }

  /** The node's physical clock (one per node id; `skewMs`, when given, sets its skew). */
  clockFor(nodeId: string, skewMs?: number): SkewedClock {
    let clock = this.clocks.get(nodeId);
    if (clock === undefined) {
      clock = new SkewedClock(() => this.now(), skewMs ?? 0);
      this.clocks.set(nodeId, clock);
    } else if (skewMs !== undefined) clock.setSkew(skewMs);
    return clock;
  }

  /** The node's tasks wait until `resumeNode`. */
  pauseNode(nodeId: string): void {
    this.queue.pause(nodeId);
  }

  resumeNode(nodeId: string): void {
    this.queue.resume(nodeId);
    this.driver?.arm();
  }

  /** Drops every task of the node and refuses new ones until `reviveNode`. */
  crashNode(nodeId: string): void {
    this.incarnations.set(nodeId, (this.incarnations.get(nodeId) ?? 0) + 1);
    this.queue.crash(nodeId);
    this.driver?.arm();
  }

  /** A node id that crashed is used again (a restart). */
  reviveNode(nodeId: string): void {
    this.queue.revive(nodeId);
  }

  /** Tasks not yet run, including those of paused nodes. */
  pending(): number {
    return this.queue.pending;
  }

  /** Observes every task run (label, time): the trace that a seed reproduces. */
  onTask(listener: (label: string, time: number) => void): () => void {
    this.observers.add(listener);
    return () => this.observers.delete(listener);
  }

  /**
   * Runs one task: a random one among those due now; when none is due, (sim mode) moves
   * time to the earliest due task first (not beyond `untilTime`). Returns false when there
   * is nothing to run.
   */
  step(untilTime = Infinity): boolean {
    for (;;) {
      this.queue.promote(this.now());
      const task = this.queue.takeDue(this.rng);
      if (task !== undefined) {
        this.run(task.label, task.fn);
        return true;
      }
      // Only paused nodes' tasks may have been due: look further, but not past the limit.
      const next = this.queue.nextDueAt(this.now());
      if (this.mode === 'auto' || next === undefined || next > untilTime) return false;
      this.time = next;
    }
  }

  /**
   * Settles promise continuations, runs a task, and again, until nothing is left to run (or
   * a limit is reached). In auto mode it waits in real time for the queue to empty.
   */
  async runUntilIdle(options: RunOptions = {}): Promise<RunResult> {
    const { maxSteps = Infinity, untilTime } = options;
    let steps = 0;
    for (;;) {
      await flush();
      if (steps >= maxSteps) return { steps, idle: false, time: this.now() };
      const next = this.queue.nextDueAt(this.now());
      if (next === undefined) {
        if (untilTime !== undefined && this.mode === 'sim') this.time = Math.max(this.time, untilTime);
        return { steps, idle: true, time: this.now() };
      }
      if (untilTime !== undefined && next > untilTime) {
        if (this.mode === 'sim') this.time = Math.max(this.time, untilTime);
        return { steps, idle: false, time: this.now() };
      }
      if (this.mode === 'auto') await new Promise((resolve) => setTimeout(resolve, 1));
      else if (this.step(untilTime)) steps++;
    }
  }

  /** Runs everything due within the next `ms` of virtual time, then sets the time to it. */
  runFor(ms: number, options: { maxSteps?: number } = {}): Promise<RunResult> {
    return this.runUntilIdle({ ...options, untilTime: this.now() + ms });
  }

  /**
   * Runs the scheduler until `promise` settles. When nothing is left to run but the promise
   * is still pending, it waits up to `idleGraceMs` of real time (default 2000) for outside
   * work (a WASM module loading, a file read) before giving up with an error.
   */
  async drive<T>(promise: Promise<T>, options: { maxSteps?: number; idleGraceMs?: number } = {}): Promise<T> {
    if (this.mode === 'auto') return promise;
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    const { maxSteps = Infinity, idleGraceMs = 2000 } = options;
    for (let steps = 0; ; steps++) {
      await flush();
      if (settled) return promise;
      if (steps >= maxSteps) throw new Error(`drive: not settled after ${steps} steps`);
      if (this.step()) continue;
      for (const deadline = Date.now() + idleGraceMs; !settled && this.queue.nextDueAt(this.now()) === undefined; ) {
        if (Date.now() >= deadline) throw new Error(`drive: idle at ${this.time} and the promise is still pending`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  }

  private run(label: string, fn: () => void): void {
    for (const observe of this.observers) observe(label, this.now());
    try {
      fn();
    } catch (error) {
      this.onError(error, label);
    }
  }
}

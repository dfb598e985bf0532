/**
 * Physical time. This is the only module that reads the real wall clock (STYLE §5):
 * everything else takes a `Clock`, so tests and the simulator can drive time by hand
 * with `ManualClock`, including making it stall or jump backwards.
 */
import type { Clock } from './types.ts';

/**
 * The real clock. `now()` is `Date.now()` (wall time, may jump when the OS adjusts it);
 * `micros()` comes from the monotonic `performance` timer anchored at `timeOrigin`, so
 * differences between two readings are good latency measurements even if the wall clock
 * is stepped meanwhile. The two may drift apart slowly; do not mix them in one difference.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  micros: () => (performance.timeOrigin + performance.now()) * 1000,
};

/**
 * A clock that moves only when told to. Time is kept in microseconds so that sub-millisecond
 * advances show in `micros()` while `now()` stays an integer millisecond (floored).
 */
export class ManualClock implements Clock {
  #micros: number;

  /** @param startMs initial time, ms since epoch (default 0); must be finite and >= 0. */
  constructor(startMs = 0) {
    this.#micros = toMicros('startMs', startMs);
  }

  /** Current time in whole milliseconds (floored). */
  now(): number {
    return Math.floor(this.#micros / 1000);
  }

  /** Current time in microseconds, including any sub-millisecond part. */
  micros(): number {
    return this.#micros;
  }

  /** Jumps to `ms` (may be fractional); going backwards is allowed, as real clocks do it. */
  set(ms: number): void {
    this.#micros = toMicros('ms', ms);
  }

  /** Moves forward by `ms` (may be fractional, must be >= 0; use `set` to go back). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`advance: ms must be a finite number >= 0, got ${ms}`);
    }
    this.#micros += ms * 1000;
  }
}

function toMicros(name: string, ms: number): number {
  // Negative epoch times would make no sense to the HLC and its fixed-width encoding.
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${ms}`);
  }
  return ms * 1000;
}

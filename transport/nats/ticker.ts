/**
 * Time helpers over the injected `Clock` and `Timers` (STYLE §5): the transport never reads
 * the wall clock or calls `setTimeout` itself, so its loops run on whatever time the node has.
 */
import type { Clock, Timers } from '../../runtime/types.ts';

/**
 * Milliseconds for measuring durations (deadlines, heartbeat ages, lease ages). Taken from
 * `micros()`, which the real clock reads from the monotonic timer, so a wall-clock step
 * neither expires a lease early nor stretches a timeout.
 */
export function monoMs(clock: Clock): number {
  return clock.micros() / 1000;
}

/**
 * Calls `fn` every `everyMs` until the returned function is called. The next call is only
 * scheduled once `fn` returned (or its promise settled), so slow rounds never overlap.
 */
export function repeat(timers: Timers, everyMs: number, fn: () => void | Promise<void>): () => void {
  let stopped = false;
  let cancel: () => void = () => undefined;
  const schedule = (): void => {
    if (!stopped) cancel = timers.setTimer(everyMs, run);
  };
  const run = (): void => {
    let result: void | Promise<void>;
    try {
      result = fn();
    } catch {
      result = undefined; // fn reports its own errors; the loop must go on
    }
    if (result instanceof Promise) result.then(schedule, schedule);
    else schedule();
  };
  schedule();
  return () => {
    stopped = true;
    cancel();
  };
}

/** Resolves after `ms` of the node's time. */
export function sleep(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => timers.setTimer(ms, resolve));
}

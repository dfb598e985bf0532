/**
 * Real timers for production nodes. Timers are injected like the clock: the simulator
 * supplies its own, which run in virtual time.
 */
import type { Timers } from './types.ts';

export const realTimers: Timers = {
  setTimer(delayMs, fn) {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    // A pending timer (idle passivation, durable timers) must not keep a process alive.
    handle.unref?.();
    return () => clearTimeout(handle);
  },
};

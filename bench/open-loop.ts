/**
 * Open-loop load at a fixed rate, corrected for coordinated omission: send `i` is due at
 * `t0 + i / rate` whatever happened to the sends before it, and its latency is measured
 * from that intended time, not from when the loop got round to it. A stalled sender or a
 * saturated system therefore shows up in the latencies instead of silently slowing the load.
 */

/** Closer than this to the next send, poll with `setImmediate` instead of sleeping, ms. */
const SPIN_MS = 2;

export interface OpenLoopRun {
  /** Intended send time of each operation, `performance.now()` ms. */
  readonly intended: Float64Array;
  readonly count: number;
  /** When the last send was issued. */
  readonly sendEnd: number;
  /** Sends issued later than 1 ms after their intended time (the sender fell behind). */
  readonly late: number;
}

/** Intended send times for `rate` per second during `seconds`, starting `leadMs` from now. */
export function schedule(rate: number, seconds: number, leadMs = 5): Float64Array {
  const count = Math.max(1, Math.round(rate * seconds));
  const intended = new Float64Array(count);
  const interval = 1000 / rate;
  const t0 = performance.now() + leadMs;
  for (let i = 0; i < count; i++) intended[i] = t0 + i * interval;
  return intended;
}

/**
 * Issues `send(i)` at `intended[i]` (never awaiting it). Sleeps with `setTimeout` while the
 * next send is more than 2 ms away and polls with `setImmediate` closer in, so the timer's
 * granularity does not bunch sends up.
 */
export function openLoop(intended: Float64Array, send: (i: number) => void): Promise<OpenLoopRun> {
  const count = intended.length;
  let next = 0;
  let late = 0;
  return new Promise<OpenLoopRun>((resolve, reject) => {
    const tick = (): void => {
      try {
        const now = performance.now();
        while (next < count && intended[next]! <= now) {
          if (now - intended[next]! > 1) late++;
          send(next++);
        }
        if (next >= count) return resolve({ intended, count, sendEnd: performance.now(), late });
        const wait = intended[next]! - performance.now();
        if (wait > SPIN_MS) setTimeout(tick, Math.max(0, wait - 1));
        else setImmediate(tick);
      } catch (err) {
        reject(err);
      }
    };
    tick();
  });
}

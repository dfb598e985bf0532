/**
 * Support for integration tests against a real nats-server: the launcher (each test file
 * starts its own server on a free loopback port with a temp store dir), a node identity on
 * real time, and polling until a condition holds.
 */
import { systemClock } from '../../runtime/clock.ts';
import { realTimers } from '../../runtime/timers.ts';
import type { NodeInfo, Timers } from '../../runtime/types.ts';

export { findNatsServer, startNatsServer, type NatsServer } from '../../transport/nats/launcher.ts';

/** A node on the real clock; `timers` may be replaced (e.g. by `PausableTimers`). */
export function testNode(nodeId: string, timers: Timers = realTimers): NodeInfo {
  return { nodeId, clock: systemClock, timers };
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Real timers that can be frozen, to play a paused process (SIGSTOP) inside one test
 * process: while paused nothing fires; on resume everything due fires at once, as after a
 * SIGCONT.
 */
export class PausableTimers implements Timers {
  #paused = false;
  readonly #held: Array<() => void> = [];

  setTimer(delayMs: number, fn: () => void): () => void {
    let cancelled = false;
    const run = (): void => {
      if (cancelled) return;
      if (this.#paused) this.#held.push(run);
      else fn();
    };
    const cancel = realTimers.setTimer(delayMs, run);
    return () => {
      cancelled = true;
      cancel();
    };
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    for (const run of this.#held.splice(0)) run();
  }
}

/**
 * Runs the scheduler in real time (auto mode): one `setImmediate` or `setTimeout` is armed
 * for the next due task at any moment, and none when nothing is queued, so an idle cluster
 * keeps no timer alive and lets the process exit.
 */
/** Most tasks one macrotask runs, so timers and I/O still get their turn. */
const BATCH = 256;

export class RealTimeDriver {
  private armed: { at: number; cancel: () => void } | undefined;

  /**
   * @param nextDueAt when the next runnable task is due (wall-clock ms), undefined if none
   * @param step runs one due task
   */
  constructor(
    private readonly nextDueAt: () => number | undefined,
    private readonly step: () => void,
  ) {}

  /** Call whenever the queue changed. */
  arm(): void {
    // An armed immediate fires soon anyway and re-arms then: no need to look at the queue.
    if (this.armed !== undefined && this.armed.at <= Date.now()) return;
    const at = this.nextDueAt();
    if (at === undefined) return this.disarm();
    if (this.armed !== undefined && this.armed.at <= at) return;
    this.disarm();
    // In real time nothing needs a task's promise continuations to settle before the next
    // task (real transports interleave freely), so one macrotask runs a batch of due tasks:
    // a macrotask per task left most of the time in the event loop's poll phase.
    const fire = () => {
      this.armed = undefined;
      for (let i = 0; i < BATCH && this.step(); i++);
      this.arm();
    };
    const delay = at - Date.now();
    if (delay <= 0) {
      const handle = setImmediate(fire);
      this.armed = { at, cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(fire, delay);
      this.armed = { at, cancel: () => clearTimeout(handle) };
    }
  }

  private disarm(): void {
    this.armed?.cancel();
    this.armed = undefined;
  }
}

/**
 * Bounds the sends in flight from one node. Past the bound `acquire()` waits (backpressure)
 * instead of buffering without limit; waiters are served strictly in arrival order, and a
 * freed slot passes straight to the oldest waiter, so a newcomer never overtakes a queued
 * send (per-sender FIFO depends on it). `drain()` waits for every send to settle.
 */
export class SendWindow {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly drained: Array<() => void> = [];

  constructor(private readonly capacity: number) {}

  get inFlight(): number {
    return this.active;
  }

  acquire(): Promise<void> | void {
    if (this.active < this.capacity && this.waiting.length === 0) {
      this.active++;
      return;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) {
      next(); // the slot changes hands: `active` stays as it is
      return;
    }
    this.active--;
    if (this.active === 0) for (const d of this.drained.splice(0)) d();
  }

  async drain(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }
}

/**
 * A node's physical clock in the simulator: the scheduler's virtual time seen through that
 * node's skew, plus jumps the test makes (an NTP step backwards, a VM resumed late) and
 * stalls (a clock that stops while time goes on). The HLC must hold against all of these
 * (DESIGN G1), so the simulator has to be able to produce them.
 */
import type { Clock } from '../../runtime/types.ts';

export class SkewedClock implements Clock {
  private offsetMs = 0;
  private frozenAt: number | undefined;

  /**
   * @param base the scheduler's virtual time, ms
   * @param skewMs constant offset of this node from virtual time, ms (may be negative)
   */
  constructor(
    private readonly base: () => number,
    private skewMs: number = 0,
  ) {}

  /** Integer ms: virtual time + skew + accumulated jumps (or the frozen value). */
  now(): number {
    if (this.frozenAt !== undefined) return this.frozenAt;
    return Math.floor(this.base() + this.skewMs + this.offsetMs);
  }

  /** Microseconds; the simulator's time has ms resolution, so this is `now() * 1000`. */
  micros(): number {
    return this.now() * 1000;
  }

  /** Moves this clock by `ms` from now on (negative: backwards). */
  jump(ms: number): void {
    this.offsetMs += ms;
  }

  /** Sets the constant skew from virtual time, ms. */
  setSkew(ms: number): void {
    this.skewMs = ms;
  }

  /** Stops the clock at its current reading until `unfreeze()`. */
  freeze(): void {
    this.frozenAt ??= this.now();
  }

  /** Lets the clock run again; it reads virtual + skew + jumps again (a jump forward). */
  unfreeze(): void {
    this.frozenAt = undefined;
  }
}

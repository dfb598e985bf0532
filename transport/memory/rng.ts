/**
 * Seeded pseudo-random numbers for the simulator. Every random choice the memory transport
 * makes (which due task runs next, which fault strikes) comes from one of these, so a run is
 * reproduced exactly from its seed. mulberry32: 32 bits of state, fast, good enough for
 * choosing schedules (not for cryptography).
 */

/** Default seed when none is given, so that unseeded runs are reproducible too. */
export const DEFAULT_SEED = 1;

export class Rng {
  private state: number;

  /** @param seed any integer (only its low 32 bits are used); default `DEFAULT_SEED` */
  constructor(seed: number = DEFAULT_SEED) {
    this.state = seed >>> 0;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n); 0 when `n <= 1`. */
  int(n: number): number {
    return n <= 1 ? 0 : Math.floor(this.next() * n);
  }

  /**
   * True with probability `p`. Draws nothing when `p <= 0`, so that enabling no faults
   * leaves the schedule identical to a run without fault checks.
   */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** An independent generator derived from this one (advances this one by one draw). */
  fork(): Rng {
    return new Rng(this.nextU32() ^ 0x9e3779b9);
  }
}

import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../runtime/clock.ts';

describe('systemClock', () => {
  it('reads integer wall-clock ms', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(Number.isInteger(now)).toBe(true);
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('reads microseconds since the epoch, close to the wall clock', () => {
    // Monotonic and wall time may drift apart a little; this only checks the unit and epoch.
    expect(Math.abs(systemClock.micros() / 1000 - Date.now())).toBeLessThan(5_000);
  });

  it('micros() does not go back between readings', () => {
    const a = systemClock.micros();
    const b = systemClock.micros();
    expect(b).toBeGreaterThanOrEqual(a);
  });
});

describe('ManualClock', () => {
  it('starts at 0 by default, or at startMs', () => {
    expect(new ManualClock().now()).toBe(0);
    expect(new ManualClock(1_700_000_000_000).now()).toBe(1_700_000_000_000);
  });

  it('moves only when told to', () => {
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(5);
    expect(clock.now()).toBe(1005);
    expect(clock.micros()).toBe(1_005_000);
  });

  it('keeps sub-millisecond advances in micros() and floors now()', () => {
    const clock = new ManualClock(10);
    clock.advance(0.25);
    expect(clock.now()).toBe(10);
    expect(clock.micros()).toBe(10_250);
    clock.advance(0.75);
    expect(clock.now()).toBe(11);
    expect(clock.micros()).toBe(11_000);
  });

  it('set() may go backwards', () => {
    const clock = new ManualClock(1000);
    clock.set(400);
    expect(clock.now()).toBe(400);
    expect(clock.micros()).toBe(400_000);
  });

  it('rejects negative or non-finite times and negative advances', () => {
    expect(() => new ManualClock(-1)).toThrow(RangeError);
    expect(() => new ManualClock(Number.NaN)).toThrow(RangeError);
    const clock = new ManualClock(10);
    expect(() => clock.set(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(clock.now()).toBe(10);
  });
});

/** Examples and error cases of the HLC; the general claims live in the property tests. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../runtime/clock.ts';
import { ClockAheadError, DecodeError, InvalidOptionError } from '../runtime/errors.ts';
import {
  compareHlc,
  decodeHlc,
  DEFAULT_MAX_OFFSET_MS,
  encodeHlc,
  HybridClock,
  type HlcStamp,
  MAX_LOGICAL,
  MAX_WALL,
} from '../runtime/hlc.ts';

const stamp = (wall: number, logical: number, node = 'n1'): HlcStamp => ({ wall, logical, node });

describe('HybridClock', () => {
  it('follows physical time and counts within a stalled ms', () => {
    const clock = new ManualClock(1000);
    const hlc = new HybridClock('n1', clock);
    expect(hlc.peek()).toEqual(stamp(0, 0));
    expect(hlc.now()).toEqual(stamp(1000, 0));
    expect(hlc.now()).toEqual(stamp(1000, 1));
    clock.set(900); // backwards
    expect(hlc.now()).toEqual(stamp(1000, 2));
    clock.set(1001);
    expect(hlc.now()).toEqual(stamp(1001, 0));
    expect(hlc.peek()).toEqual(stamp(1001, 0));
  });

  it('applies the receive rule of the paper', () => {
    const clock = new ManualClock(1000);
    const hlc = new HybridClock('n1', clock);
    hlc.now(); // (1000, 0)
    expect(hlc.receive(stamp(1000, 7, 'n2'))).toEqual(stamp(1000, 8)); // l = l_m = pt
    expect(hlc.receive(stamp(1200, 3, 'n2'))).toEqual(stamp(1200, 4)); // remote leads
    expect(hlc.receive(stamp(1100, 9, 'n2'))).toEqual(stamp(1200, 5)); // local leads
    clock.set(1300);
    expect(hlc.receive(stamp(1250, 9, 'n2'))).toEqual(stamp(1300, 0)); // physical leads
  });

  it('rolls into the next ms when logical would overflow, also on receive', () => {
    const hlc = new HybridClock('n1', new ManualClock(50));
    expect(hlc.receive(stamp(50, MAX_LOGICAL, 'n2'))).toEqual(stamp(51, 0));
    expect(hlc.now()).toEqual(stamp(51, 1));
  });

  it('rejects a remote stamp too far ahead, with the numbers in the error', () => {
    const hlc = new HybridClock('n1', new ManualClock(1000), { maxOffsetMs: 100 });
    const before = hlc.now();
    expect(hlc.receive(stamp(1100, 0, 'n2'))).toEqual(stamp(1100, 1)); // exactly maxOffset: ok
    let error: unknown;
    try {
      hlc.receive(stamp(1101 + 100, 0, 'n2'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ClockAheadError);
    expect(error).toMatchObject({
      code: 'CLOCK_AHEAD',
      remoteWall: 1201,
      localPhysical: 1000,
      maxOffsetMs: 100,
    });
    expect((error as Error).message).toBe('remote clock ahead by 201 ms (max offset 100 ms)');
    expect(compareHlc(hlc.peek(), before)).toBeGreaterThan(0);
    expect(hlc.peek()).toEqual(stamp(1100, 1));
  });

  it('validates options', () => {
    const clock = new ManualClock();
    expect(new HybridClock('node-1.a_B', clock).maxOffsetMs).toBe(DEFAULT_MAX_OFFSET_MS);
    expect(new HybridClock('x'.repeat(64), clock).node).toHaveLength(64);
    for (const bad of ['', 'x'.repeat(65), 'a b', 'a/b', 'é', 'a\n']) {
      expect(() => new HybridClock(bad, clock)).toThrow(InvalidOptionError);
    }
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new HybridClock('n1', clock, { maxOffsetMs: bad })).toThrow(InvalidOptionError);
    }
    expect(() => new HybridClock('a b', clock)).toThrow(
      "invalid option 'node': node id 'a b' has characters outside [A-Za-z0-9_.-]",
    );
  });

  it('rejects malformed remote stamps without ticking', () => {
    const hlc = new HybridClock('n1', new ManualClock(1000));
    const bad = [
      stamp(1.5, 0),
      stamp(-1, 0),
      stamp(Number.NaN, 0),
      stamp(MAX_WALL + 1, 0),
      stamp(1000, MAX_LOGICAL + 1),
      stamp(1000, 0, ''),
    ];
    for (const remote of bad) expect(() => hlc.receive(remote)).toThrow(DecodeError);
    expect(hlc.peek()).toEqual(stamp(0, 0));
  });
});

describe('encodeHlc / decodeHlc', () => {
  it('uses 12 + 4 lowercase hex digits, then the node id', () => {
    expect(encodeHlc(stamp(0x18f2b6c1a2e, 3, 'node-1'))).toBe('018f2b6c1a2e0003node-1');
    expect(encodeHlc(stamp(MAX_WALL, MAX_LOGICAL, 'z'))).toBe('ffffffffffffffffz');
    expect(decodeHlc('018f2b6c1a2e0003node-1')).toEqual(stamp(0x18f2b6c1a2e, 3, 'node-1'));
  });

  it.each([
    ['empty', ''],
    ['too short', '0123'],
    ['numbers only, no node', '0000000000010002'],
    ['upper-case hex', '00000000000A0002n1'],
    ['not hex', '0000000000g10002n1'],
    ['space in node', '0000000000010002n 1'],
    ['non-ascii node', '0000000000010002nœud'],
    ['node too long', `0000000000010002${'x'.repeat(65)}`],
    ['sign in number', '-000000000010002n1'],
    ['garbage', '{"wall":1}'],
  ])('throws DecodeError on %s', (_name, text) => {
    expect(() => decodeHlc(text)).toThrow(DecodeError);
  });

  it('says what is wrong, quoting the input', () => {
    expect(() => decodeHlc('nope')).toThrow(
      "invalid hlc 'nope': expected 12 + 4 lowercase hex digits (wall, logical), then a node id",
    );
    expect(() => decodeHlc(42 as unknown as string)).toThrow(
      'invalid hlc: expected a string, got number',
    );
    expect(() => decodeHlc('0000000000010002a b')).toThrow(
      "invalid hlc '0000000000010002a b': node id 'a b' has characters outside [A-Za-z0-9_.-]",
    );
  });

  it('refuses to encode stamps outside the ranges', () => {
    expect(() => encodeHlc(stamp(MAX_WALL + 1, 0))).toThrow(RangeError);
    expect(() => encodeHlc(stamp(0, MAX_LOGICAL + 1))).toThrow(RangeError);
    expect(() => encodeHlc(stamp(0, 0, 'a:b'))).toThrow(RangeError);
  });
});

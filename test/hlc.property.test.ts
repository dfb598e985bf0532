/**
 * Properties of one HLC (DESIGN G1) under arbitrary physical clock behaviour, and of the
 * encoded form. The multi-node causality check is in `hlc.causality.test.ts`.
 * fast-check prints the seed and counterexample path on failure; replay with
 * `fc.assert(..., { seed, path })`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../runtime/clock.ts';
import { ClockAheadError, DecodeError } from '../runtime/errors.ts';
import {
  compareHlc,
  decodeHlc,
  encodeHlc,
  HybridClock,
  type HlcStamp,
  MAX_LOGICAL,
  MAX_WALL,
} from '../runtime/hlc.ts';

/** (wall, logical) strictly after: what one clock promises, whatever the node ids. */
const after = (a: HlcStamp, b: HlcStamp) =>
  a.wall > b.wall || (a.wall === b.wall && a.logical > b.logical);

type Op =
  | { kind: 'now' }
  | { kind: 'receive'; lead: number; edge: boolean; logical: number; node: string }
  | { kind: 'advance'; ms: number }
  | { kind: 'set'; delta: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: 'now' as const }),
  fc.record({
    kind: fc.constant('receive' as const),
    // Remote wall = local physical time + lead; `edge` pins it to maxOffset - 1 .. + 1.
    lead: fc.integer({ min: -2000, max: 2000 }),
    edge: fc.boolean(),
    // Often at the top, to make receives overflow.
    logical: fc.oneof(
      fc.integer({ min: 0, max: MAX_LOGICAL }),
      fc.integer({ min: MAX_LOGICAL - 2, max: MAX_LOGICAL }),
    ),
    node: fc.constantFrom('a', 'n0', 'n2', 'zz'),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3 }) }),
  // Jumps either way, stepping back further than any maxOffset.
  fc.record({ kind: fc.constant('set' as const), delta: fc.integer({ min: -5000, max: 5000 }) }),
);

describe('HybridClock (one node, any physical clock)', () => {
  // One run checks it all: strict monotonicity, receive > remote, the l - pt bound, and that
  // a refused receive changes nothing (a twin clock that never saw it must agree).
  it('ticks strictly up, after remotes, within the bound; refusals change nothing', () => {
    const maxOffsetArb = fc.integer({ min: 1, max: 1000 });
    const opsArb = fc.array(opArb, { maxLength: 300, size: 'max' });
    fc.assert(
      fc.property(maxOffsetArb, opsArb, (maxOffsetMs, ops) => {
        const clock = new ManualClock(1_000_000);
        // `subject` sees every op; `twin` never sees the refused receives.
        const subject = new HybridClock('n1', clock, { maxOffsetMs });
        const twin = new HybridClock('n1', clock, { maxOffsetMs });
        let maxPt = 0;
        let rolls = 0;
        for (const op of ops) {
          if (op.kind === 'advance') clock.advance(op.ms);
          if (op.kind === 'set') clock.set(Math.max(0, clock.now() + op.delta));
          if (op.kind === 'advance' || op.kind === 'set') continue;

          const pt = clock.now();
          maxPt = Math.max(maxPt, pt);
          const prev = subject.peek();
          let stamp: HlcStamp;
          let floor = Math.max(prev.wall, pt);
          if (op.kind === 'now') {
            stamp = subject.now();
            expect(twin.now()).toEqual(stamp);
          } else {
            const lead = op.edge ? maxOffsetMs + Math.sign(op.lead) : op.lead;
            const remote = { wall: Math.max(0, pt + lead), logical: op.logical, node: op.node };
            if (remote.wall - pt > maxOffsetMs) {
              expect(() => subject.receive(remote)).toThrow(ClockAheadError);
              expect(subject.peek()).toBe(prev);
              continue;
            }
            stamp = subject.receive(remote);
            expect(twin.receive(remote)).toEqual(stamp);
            expect(after(stamp, remote)).toBe(true);
            floor = Math.max(floor, remote.wall);
          }
          expect(after(stamp, prev)).toBe(true);
          expect(stamp.node).toBe('n1');
          expect(stamp.logical).toBeLessThanOrEqual(MAX_LOGICAL);
          expect(subject.peek()).toEqual(stamp);
          // A roll is the only way past the highest time in play, and by exactly one ms.
          if (stamp.wall > floor) {
            expect(stamp).toMatchObject({ wall: floor + 1, logical: 0 });
            rolls++;
          }
          expect(stamp.wall - maxPt).toBeLessThanOrEqual(maxOffsetMs + rolls);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('rolls into the next ms after 65536 events in one stalled ms, never wrapping', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: MAX_LOGICAL + 1, max: 2 * (MAX_LOGICAL + 1) + 3 }),
        (start, events) => {
          const clock = new ManualClock(start);
          const hlc = new HybridClock('n1', clock);
          let prev = hlc.peek();
          // Plain checks in the hot loop: expect() per event would dominate the run time.
          for (let i = 0; i < events; i++) {
            const s = hlc.now();
            const perMs = MAX_LOGICAL + 1;
            const want = { wall: start + Math.floor(i / perMs), logical: i % perMs };
            if (s.wall !== want.wall || s.logical !== want.logical || !after(s, prev)) {
              throw new Error(`event ${i}: got ${JSON.stringify(s)}, want ${JSON.stringify(want)}`);
            }
            prev = s;
          }
          // Physical time catching up past the rolled wall resets logical.
          clock.set(prev.wall + 1);
          expect(hlc.now()).toEqual({ wall: prev.wall + 1, logical: 0, node: 'n1' });
        },
      ),
      { numRuns: 5 },
    );
  });
});

const NODE_CHARS = '-._0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 0..max, often tiny or at the top, so ties make the later fields count. */
const field = (max: number) =>
  fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max }), fc.constant(max));
const stampArb: fc.Arbitrary<HlcStamp> = fc.record({
  wall: field(MAX_WALL),
  logical: field(MAX_LOGICAL),
  node: fc.oneof(
    // A few characters, short: shared prefixes ("a" vs "a-b") and equal ids are common.
    fc.string({ unit: fc.constantFrom(...'ab-._0Z'), minLength: 1, maxLength: 4 }),
    fc.string({ unit: fc.constantFrom(...NODE_CHARS), minLength: 1, maxLength: 64 }),
  ),
});

/** -1, 0 or 1; never -0, which `toBe` tells apart from 0. */
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
/** Pairs of stamps, often equal ones, so the `0` case gets exercised too. */
const pairArb = fc.oneof(
  fc.tuple(stampArb, stampArb),
  stampArb.map((a): [HlcStamp, HlcStamp] => [a, { ...a }]),
);
const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const compareBytes = (a: string, b: string) =>
  Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('HLC order and encoding', () => {
  it('compareHlc is a total order: antisymmetric, and 0 only for equal stamps', () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        expect(sign(compareHlc(a, b)) + sign(compareHlc(b, a))).toBe(0);
        const same = a.wall === b.wall && a.logical === b.logical && a.node === b.node;
        expect(compareHlc(a, b) === 0).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('encoded strings compare like the stamps, as strings and as UTF-8 bytes', () => {
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        const [ea, eb] = [encodeHlc(a), encodeHlc(b)];
        const want = sign(compareHlc(a, b));
        expect(compareStrings(ea, eb)).toBe(want);
        expect(sign(compareBytes(ea, eb))).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('sorting encodings gives the same order as sorting stamps (also byte-wise)', () => {
    fc.assert(
      fc.property(fc.array(stampArb, { maxLength: 40 }), (stamps) => {
        const byStamp = [...stamps].sort(compareHlc).map(encodeHlc);
        expect(stamps.map(encodeHlc).sort()).toEqual(byStamp);
        expect(stamps.map(encodeHlc).sort(compareBytes)).toEqual(byStamp);
      }),
      { numRuns: 300 },
    );
  });

  it('decode(encode(s)) is s, and the encoding is fixed width before the node id', () => {
    fc.assert(
      fc.property(stampArb, (s) => {
        const text = encodeHlc(s);
        expect(text).toHaveLength(16 + s.node.length);
        expect(decodeHlc(text)).toEqual(s);
      }),
      { numRuns: 1000 },
    );
  });

  it('decode accepts only canonical encodings and throws DecodeError on anything else', () => {
    // A valid encoding with one character replaced (or appended, or cut short).
    const tweaked = fc
      .tuple(stampArb.map(encodeHlc), fc.nat(), fc.constantFrom(...'0fA :/\u00e9\u0000', ''))
      .map(([text, at, c]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + c + text.slice(i + 1);
      });
    const valid = stampArb.map(encodeHlc);
    const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), tweaked, valid);
    fc.assert(
      fc.property(anyText, (text) => {
        let decoded: HlcStamp;
        try {
          decoded = decodeHlc(text);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
          return;
        }
        expect(encodeHlc(decoded)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * HLC against a ground truth of causality (DESIGN G1): random histories of several nodes,
 * each with its own skewed, jittering ManualClock, exchanging messages; happened-before is
 * computed with vector clocks, and every e -> f must have hlc(e) < hlc(f).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../runtime/clock.ts';
import { ClockAheadError } from '../runtime/errors.ts';
import { compareHlc, HybridClock, type HlcStamp } from '../runtime/hlc.ts';

interface Step {
  /** Real time passing before the step, ms. */
  readonly elapse: number;
  readonly node: number;
  /** This node's clock error at this step, as a fraction of the allowed skew (-1 .. 1). */
  readonly skew: number;
  readonly kind: 'local' | 'send' | 'receive';
  /** Which in-flight message a receive takes. */
  readonly pick: number;
}

interface Event {
  readonly hlc: HlcStamp;
  readonly vc: readonly number[];
  /** The stamping node's physical time when it stamped the event. */
  readonly pt: number;
}

const stepArb = (nodes: number): fc.Arbitrary<Step> =>
  fc.record({
    elapse: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 })),
    node: fc.integer({ min: 0, max: nodes - 1 }),
    skew: fc.double({ min: -1, max: 1, noNaN: true }),
    kind: fc.constantFrom('local', 'send', 'receive', 'receive'),
    pick: fc.nat(),
  });

/** e happened-before f iff vc(e) <= vc(f) componentwise and they differ. */
function happenedBefore(e: readonly number[], f: readonly number[]): boolean {
  let strictly = false;
  for (let i = 0; i < e.length; i++) {
    const [a, b] = [e[i]!, f[i]!];
    if (a > b) return false;
    if (a < b) strictly = true;
  }
  return strictly;
}

/**
 * Runs a history. `skewMs` bounds every clock's error against real time; clocks jitter
 * within it from step to step, so each one stalls, jumps and goes backwards.
 * Returns the events and how many receives were rejected.
 */
function run(nodes: number, maxOffsetMs: number, skewMs: number, steps: readonly Step[]) {
  const start = 1_700_000_000_000;
  let realTime = start;
  const clocks = Array.from({ length: nodes }, () => new ManualClock(start));
  const hlcs = clocks.map((c, i) => new HybridClock(`node-${i}`, c, { maxOffsetMs }));
  const vcs = Array.from({ length: nodes }, () => new Array<number>(nodes).fill(0));
  const inFlight: Event[] = [];
  const events: Event[] = [];
  let rejected = 0;
  for (const step of steps) {
    realTime += step.elapse;
    const i = step.node;
    const clock = clocks[i]!;
    clock.set(realTime + Math.round(step.skew * skewMs));
    const vc = vcs[i]!;
    let hlc: HlcStamp;
    if (step.kind === 'receive' && inFlight.length > 0) {
      const [msg] = inFlight.splice(step.pick % inFlight.length, 1);
      try {
        hlc = hlcs[i]!.receive(msg!.hlc);
      } catch (e) {
        // Refused messages are not events (a real node dead-letters them).
        expect(e).toBeInstanceOf(ClockAheadError);
        expect(msg!.hlc.wall - clock.now()).toBeGreaterThan(maxOffsetMs);
        rejected++;
        continue;
      }
      msg!.vc.forEach((n, k) => (vc[k] = Math.max(vc[k]!, n)));
      vc[i]!++;
      expect(compareHlc(hlc, msg!.hlc)).toBeGreaterThan(0);
    } else {
      hlc = hlcs[i]!.now();
      vc[i]!++;
    }
    const event = { hlc, vc: [...vc], pt: clock.now() };
    events.push(event);
    if (step.kind === 'send') inFlight.push(event);
  }
  return { events, rejected };
}

function checkCausality(events: readonly Event[]): void {
  for (const e of events) {
    for (const f of events) {
      if (happenedBefore(e.vc, f.vc) && compareHlc(e.hlc, f.hlc) >= 0) {
        const [se, sf] = [JSON.stringify(e), JSON.stringify(f)];
        throw new Error(`${se} happened before ${sf}, but its hlc is not smaller`);
      }
    }
  }
}

const historyArb = fc
  .integer({ min: 2, max: 5 })
  .chain((nodes) =>
    fc.record({
      nodes: fc.constant(nodes),
      maxOffsetMs: fc.integer({ min: 1, max: 200 }),
      steps: fc.array(stepArb(nodes), { maxLength: 150, size: 'max' }),
    }),
  );

describe('HLC across nodes', () => {
  it('orders happened-before, never refuses, keeps l - pt <= maxOffset (bounded skew)', () => {
    fc.assert(
      fc.property(historyArb, ({ nodes, maxOffsetMs, steps }) => {
        // Clocks within +-maxOffset/2 of real time differ by at most maxOffset.
        const skewMs = Math.floor(maxOffsetMs / 2);
        const { events, rejected } = run(nodes, maxOffsetMs, skewMs, steps);
        expect(rejected).toBe(0);
        checkCausality(events);
        for (const e of events) expect(e.hlc.wall - e.pt).toBeLessThanOrEqual(maxOffsetMs);
      }),
      { numRuns: 200 },
    );
  });

  it('still orders happened-before when clocks are far apart and some receives are refused', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 1, max: 20 }), (history, factor) => {
        const { nodes, maxOffsetMs, steps } = history;
        const { events } = run(nodes, maxOffsetMs, maxOffsetMs * factor, steps);
        checkCausality(events);
      }),
      { numRuns: 200 },
    );
  });
});

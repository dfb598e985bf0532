/**
 * A checker that cannot fail proves nothing. Each test runs the simulator with one
 * component broken on purpose and asserts the checkers report it. Seeds are fixed so the
 * search for a counterexample is the same every run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulationProperty, type SendStep, type SimulationResult } from '../testing/index.ts';
import { ackBeforePersist, noFencing, swapDeliveries } from './fixtures/broken-transports.ts';
import { counter, propertyActors } from './fixtures/actors.ts';

const work = fc
  .record({ from: fc.nat(2), to: fc.integer({ min: 0, max: 2 }), amount: fc.integer({ min: 1, max: 9 }) })
  .map(({ from, to, amount }) => ({ kind: 'send' as const, from, to: counter.ref(`c${to}`), event: { type: 'ADD' as const, amount, sender: `client${from}`, n: 0 } })) as fc.Arbitrary<SendStep>;

/** Runs the property with a fixed seed; returns the failure message, or undefined if none was found. */
async function firstFailure(options: Parameters<typeof simulationProperty<typeof propertyActors>>[0], numRuns: number): Promise<string | undefined> {
  const result = await fc.check(simulationProperty(options), { seed: 20261123, numRuns, endOnFailure: true });
  return result.failed ? String((result.errorInstance as Error | undefined)?.message ?? 'failed') : undefined;
}

describe('checkers catch broken components', () => {
  it('acking before the effect is persisted loses events across a crash (exactly-once: lost)', async () => {
    const failure = await firstFailure({ actors: propertyActors, workload: work, faults: false, wrapTransport: ackBeforePersist }, 400);
    expect(failure).toMatch(/lost=[1-9]/);
  });

  it('a log that swaps deliveries is caught: the runtime refuses the late event, the checkers report it', async () => {
    // Per-sender seqs make the runtime drop an event that arrives after a later one from the
    // same sender (it looks like a copy): FIFO holds, exactly-once does not, and it shows.
    const orderOrLoss = (r: SimulationResult<typeof propertyActors>) => {
      const { fifoViolations, lost } = r.report.summary;
      if (fifoViolations + lost > 0) throw new Error(`fifo violations: ${fifoViolations}, lost: ${lost}`);
    };
    const base = { actors: propertyActors, workload: work, nodes: 1, faults: false, nodeFaults: false, check: orderOrLoss } as const;
    expect(await firstFailure(base, 50)).toBeUndefined();
    expect(await firstFailure({ ...base, wrapTransport: swapDeliveries }, 200)).toMatch(/fifo violations: 0, lost: [1-9]/);
  });

  it('without fencing a paused owner keeps writing (single activation / exactly-once)', async () => {
    const check = (r: SimulationResult<typeof propertyActors>) => {
      const s = r.report.summary;
      if (s.doubleActivations + s.staleWrites + s.duplicates > 0) throw new Error(`fencing broken: ${JSON.stringify(s)}`);
    };
    const failure = await firstFailure({ actors: propertyActors, workload: work, faults: false, wrapTransport: (t, cluster) => noFencing(t, (p) => cluster.ownership.epochOf(p)), check, maxSteps: 40 }, 300);
    expect(failure).toMatch(/fencing broken/);
  });
});

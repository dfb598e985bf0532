/**
 * G1–G6 as properties over the seeded simulated cluster (memory transport): random
 * workloads, transport faults (duplicates, lost acks, delays, refused appends, lost publish
 * acks) and node faults (crash, restart, pause past the lease, partition moves, clock jumps).
 * Each run's history goes through every checker; state is compared with what the log holds.
 * A failure prints fast-check's seed and path: replay with `fc.assert(prop, { seed, path })`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { account, bankActors, transfer } from '../examples/bank/actors.ts';
import { assertChecks, simulationProperty, type SendStep, type SimulationResult } from '../testing/index.ts';
import { counter, propertyActors, relay, type CounterEvent } from './fixtures/actors.ts';

const RUNS = Number(process.env.CAUSEWAY_RUNS_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * RUNS));

const COUNTERS = 4;
const counterId = fc.integer({ min: 0, max: COUNTERS - 1 }).map((i) => `c${i}`);

/** Client sends straight to counters, and sends through relays (a cause on another actor). */
const counterWork: fc.Arbitrary<SendStep> = fc.oneof(
  fc.record({ from: fc.nat(2), to: counterId, amount: fc.integer({ min: 1, max: 9 }) }).map(({ from, to, amount }) => ({
    kind: 'send' as const,
    from,
    to: counter.ref(to),
    event: { type: 'ADD' as const, amount, sender: `client${from}`, n: 0 },
  })),
  fc.record({ from: fc.nat(2), relay: fc.nat(2), to: counterId, amount: fc.integer({ min: 1, max: 9 }) }).map((r) => ({
    kind: 'send' as const,
    from: r.from,
    to: relay.ref(`r${r.relay}`),
    event: { type: 'FORWARD' as const, to: r.to, amount: r.amount, n: 0 },
  })),
) as fc.Arbitrary<SendStep>;

/** Numbers client sends per (node, counter) in schedule order, so the counter can see FIFO breaks. */
function numbered<T extends { kind: string }>(steps: T[]): T[] {
  const next = new Map<string, number>();
  return steps.map((s) => {
    const step = s as unknown as SendStep;
    if (s.kind !== 'send' || step.event.type !== 'ADD') return s;
    const key = `${step.from}->${step.to.id}`;
    const n = (next.get(key) ?? 0) + 1;
    next.set(key, n);
    return { ...s, event: { ...(step.event as CounterEvent & { type: 'ADD' }), n } };
  });
}

/** Counter sums must equal what the log holds for them (each event once), and no counter saw a sender out of order. */
async function countersMatchLog(r: SimulationResult<typeof propertyActors>): Promise<void> {
  assertChecks(r.report);
  const expected = new Map<string, number>();
  const seen = new Set<string>();
  for (const m of r.sim.cluster.log.all()) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    const e = m.envelope.payload as { type: string; amount?: number };
    if (m.envelope.to.type === 'counter' && e.type === 'ADD') expected.set(m.envelope.to.id, (expected.get(m.envelope.to.id) ?? 0) + e.amount!);
  }
  expect(r.sim.cluster.deadLetters.list()).toEqual([]);
  for (let i = 0; i < COUNTERS; i++) {
    const state = (await r.sim.ask(counter.ref(`c${i}`), { type: 'GET' })) as { sum: number; outOfOrder: number };
    expect({ counter: `c${i}`, sum: state.sum, outOfOrder: state.outOfOrder }).toEqual({ counter: `c${i}`, sum: expected.get(`c${i}`) ?? 0, outOfOrder: 0 });
  }
}

describe('guarantees over the simulated cluster', () => {
  it('one node, transport faults: per-sender FIFO, one event at a time, each event applied once (G2, G3, G5)', async () => {
    const prop = simulationProperty({ actors: propertyActors, workload: counterWork, nodes: 1, nodeFaults: false, mapSteps: numbered, check: countersMatchLog });
    await fc.assert(prop, { numRuns: runs(3000) });
  }, 600_000);

  it('three nodes, every fault: G1–G5 hold and state matches the log', async () => {
    const prop = simulationProperty({ actors: propertyActors, workload: counterWork, mapSteps: numbered, check: countersMatchLog });
    await fc.assert(prop, { numRuns: runs(7000) });
  }, 600_000);
});

void account;
void transfer;
void bankActors;

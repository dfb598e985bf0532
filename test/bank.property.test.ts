/**
 * The bank under every fault: transfers are sagas across actors (ask → answer as an event →
 * credit), so each is a causal chain. Money is conserved, every transfer ends, all checkers
 * pass; and state survives the restart of every node (G6).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { account, bankActors, transfer } from '../examples/bank/actors.ts';
import { assertChecks, simulationProperty, type SendStep, type SimulationResult, type Step } from '../testing/index.ts';

const scale = Number(process.env.CAUSEWAY_RUNS_SCALE ?? 1);
const ACCOUNTS = 3;
const acct = fc.integer({ min: 0, max: ACCOUNTS - 1 }).map((i) => `a${i}`);

const work = fc.oneof(
  fc.record({ from: fc.nat(2), to: acct, amount: fc.integer({ min: 1, max: 50 }) }).map((r) => ({
    kind: 'send' as const,
    from: r.from,
    to: account.ref(r.to),
    event: { type: 'DEPOSIT' as const, amount: r.amount },
  })),
  fc.record({ from: fc.nat(2), a: acct, b: acct, amount: fc.integer({ min: 1, max: 60 }) }).map((r) => ({
    kind: 'send' as const,
    from: r.from,
    to: transfer.ref('t'),
    event: { type: 'START' as const, from: r.a, to: r.b, amount: r.amount },
  })),
) as fc.Arbitrary<SendStep>;

/** Each transfer gets its own id. */
const uniqueTransfers = (steps: Step[]): Step[] =>
  steps.map((s, i) => (s.kind === 'send' && s.to.type === 'transfer' ? ({ ...s, to: transfer.ref(`t${i}`) } as Step) : s));

async function balances(r: SimulationResult<typeof bankActors>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < ACCOUNTS; i++) out.push((await r.sim.ask(account.ref(`a${i}`), { type: 'BALANCE' })) as number);
  return out;
}

async function conserved(r: SimulationResult<typeof bankActors>): Promise<void> {
  assertChecks(r.report);
  const seen = new Set<string>();
  let deposited = 0;
  const transfers = new Set<string>();
  for (const m of r.sim.cluster.log.all()) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    const e = m.envelope.payload as { type: string; amount?: number };
    if (m.envelope.to.type === 'account' && e.type === 'DEPOSIT' && m.envelope.from.startsWith('client/')) deposited += e.amount!;
    if (m.envelope.to.type === 'transfer' && e.type === 'START') transfers.add(m.envelope.to.id);
  }
  expect(r.sim.cluster.deadLetters.list()).toEqual([]);
  const before = await balances(r);
  expect(before.reduce((a, b) => a + b, 0)).toBe(deposited);
  for (const id of transfers) {
    const view = (await r.sim.ask(transfer.ref(id), { type: 'DEBITED', value: { ok: false } })) as { status: string };
    expect({ id, status: view.status }).toEqual({ id, status: 'done' });
  }
  // G6: every node restarts; state comes back from the store.
  for (const id of r.sim.nodeIds) r.sim.crash(id);
  for (const id of r.sim.nodeIds) await r.sim.restart(id);
  await r.sim.run(10_000);
  expect(await balances(r)).toEqual(before);
}

describe('bank over the simulated cluster', () => {
  it('conserves money, ends every transfer, passes every checker, and survives a full restart', async () => {
    const prop = simulationProperty({ actors: bankActors, workload: work, mapSteps: uniqueTransfers, check: conserved });
    await fc.assert(prop, { numRuns: Math.round(400 * scale) });
  }, 600_000);
});

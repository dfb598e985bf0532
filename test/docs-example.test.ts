/** The worked example of docs/testing.md, verbatim (only the import path differs). */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { assertChecks, simulationProperty, type SendStep } from 'causeway/testing';
import { stock } from './fixtures/inventory.ts';

const workload = fc.oneof(
  fc.record({ from: fc.nat(2), units: fc.integer({ min: 1, max: 5 }) })
    .map(({ from, units }) => ({ kind: 'send', from, to: stock.ref('sku-1'), event: { type: 'RESTOCK', units } })),
  fc.record({ from: fc.nat(2), units: fc.integer({ min: 1, max: 5 }) })
    .map(({ from, units }) => ({ kind: 'send', from, to: stock.ref('sku-1'), event: { type: 'RESERVE', units } })),
) as fc.Arbitrary<SendStep>;

it('never loses or double-applies a restock', async () => {
  await fc.assert(
    simulationProperty({
      actors: [stock],
      workload,
      nodes: 3,
      check: async ({ report, sim }) => {
        assertChecks(report); // G1–G5 over the history
        // What the log holds is the truth about what was accepted (a send whose ack was
        // lost can still be in the log): count each event id once.
        const ids = new Set<string>();
        let restocked = 0;
        for (const m of sim.cluster.log.all()) {
          if (ids.has(m.id)) continue;
          ids.add(m.id);
          const e = m.envelope.payload as { type: string; units?: number };
          if (e.type === 'RESTOCK') restocked += e.units!;
        }
        const level = (await sim.ask(stock.ref('sku-1'), { type: 'LEVEL' })) as { units: number; reserved: number };
        expect(level.units + level.reserved).toBe(restocked);
      },
    }),
    { numRuns: 500 },
  );
});

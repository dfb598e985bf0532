/**
 * The model-based form of the guarantee properties: fast-check commands (send, run, tick,
 * crash, restart, pause past the lease, move, clock jump) with preconditions from a model of
 * the cluster, run by `fc.asyncModelRun`; every checker must pass after the run settles.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertChecks, runSimulationCommands, simulationCommands, type SendStep } from '../testing/index.ts';
import { ackBeforePersist } from './fixtures/broken-transports.ts';
import { counter, propertyActors, relay } from './fixtures/actors.ts';

const scale = Number(process.env.CAUSEWAY_RUNS_SCALE ?? 1);
const target = fc.integer({ min: 0, max: 3 }).map((i) => `c${i}`);
const work = fc.oneof(
  fc.record({ from: fc.nat(2), to: target, amount: fc.integer({ min: 1, max: 9 }) }).map(({ from, to, amount }) => ({
    kind: 'send' as const, from, to: counter.ref(to), event: { type: 'ADD' as const, amount, sender: `client${from}`, n: 0 },
  })),
  fc.record({ from: fc.nat(2), to: target, amount: fc.integer({ min: 1, max: 9 }) }).map(({ from, to, amount }) => ({
    kind: 'send' as const, from, to: relay.ref('r0'), event: { type: 'FORWARD' as const, to, amount, n: 0 },
  })),
) as fc.Arbitrary<SendStep>;

const commands = simulationCommands(work, { nodes: 3, partitions: 8 });

describe('model-based commands over the simulated cluster', () => {
  it('every checker passes whatever the command sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), commands, (seed, cmds) =>
        runSimulationCommands({ actors: propertyActors, seed }, cmds, (r) => assertChecks(r.report)),
      ),
      { numRuns: Math.round(500 * scale) },
    );
  }, 600_000);

  it('finds and shrinks a broken transport to a short command sequence', async () => {
    const result = await fc.check(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), commands, (seed, cmds) =>
        runSimulationCommands({ actors: propertyActors, seed, wrapTransport: ackBeforePersist }, cmds, (r) => assertChecks(r.report)),
      ),
      { seed: 20261123, numRuns: 300 },
    );
    expect(result.failed).toBe(true);
    const shrunk = String(result.counterexample?.[1] ?? '');
    expect(shrunk).toMatch(/crash|pause/); // a node gone with acked, unpersisted events
    expect(shrunk.split(',').length).toBeLessThan(12);
  }, 600_000);
});

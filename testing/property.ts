/**
 * fast-check integration: a property over seeded simulated runs. fast-check generates the
 * seed, the transport's fault rates and a schedule (workload + crashes, pauses, moves, clock
 * jumps); the run is recorded and checked. A failure prints fast-check's seed and path, and
 * shrinks to a small schedule; `fc.assert(property, { seed, path })` replays it.
 */
import fc from 'fast-check';
import type { ActorDefinition } from '../actors/index.ts';
import type { Transport } from '../runtime/index.ts';
import type { FaultOptions, MemoryCluster } from '../transport/memory/index.ts';
import { checkAll, formatReport, type CheckReport } from './checkers/index.ts';
import type { HistoryEvent } from './history.ts';
import { faultRatesArb, runSchedule, scheduleArb, type RunOutcome, type SendStep, type Step } from './schedule.ts';
import { createSimulation, type Simulation } from './simulation.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = ActorDefinition<string, any>;

export interface SimulationResult<A extends readonly AnyDefinition[]> {
  readonly sim: Simulation<A>;
  readonly history: readonly HistoryEvent[];
  readonly outcome: RunOutcome;
  /** Every checker's verdict over the history. */
  readonly report: CheckReport;
  readonly seed: number;
  readonly steps: readonly Step[];
}

export interface SimulationPropertyOptions<A extends readonly AnyDefinition[]> {
  readonly actors: A;
  /** Sends of the workload (`from` is a node index). */
  readonly workload: fc.Arbitrary<SendStep>;
  /** Default 3. */
  readonly nodes?: number;
  /** Default 8. */
  readonly partitions?: number;
  /** Transport fault rates: `false` for none. Default `faultRatesArb()`. */
  readonly faults?: false | fc.Arbitrary<FaultOptions>;
  /** Crashes, pauses, moves and clock jumps in the schedule. Default true. */
  readonly nodeFaults?: boolean;
  /** Default 30. */
  readonly maxSteps?: number;
  /** See `SimulationOptions.wrapTransport`. */
  readonly wrapTransport?: (transport: Transport, cluster: MemoryCluster) => Transport;
  /** Rewrites a generated schedule before it runs (e.g. to number sends per sender). */
  readonly mapSteps?: (steps: Step[]) => Step[];
  /**
   * Runs after the run settled. Default: every checker must pass. Throw (or use `expect`) to
   * fail; the report is formatted into the failure.
   */
  readonly check?: (result: SimulationResult<A>) => void | Promise<void>;
}

/** Fails with a readable report unless every checker passed. */
export function assertChecks(report: CheckReport): void {
  if (!report.ok) throw new Error(`guarantee violated:\n${formatReport(report)}`);
}

export function simulationProperty<const A extends readonly AnyDefinition[]>(
  options: SimulationPropertyOptions<A>,
): fc.IAsyncPropertyWithHooks<[number, FaultOptions, Step[]]> {
  const nodes = options.nodes ?? 3;
  const partitions = options.partitions ?? 8;
  const faults = options.faults === false ? fc.constant({}) : (options.faults ?? faultRatesArb());
  const work = options.workload;
  const generated =
    options.nodeFaults === false
      ? fc.array(work as fc.Arbitrary<Step>, { minLength: 1, maxLength: options.maxSteps ?? 30 })
      : scheduleArb(work, { nodes, partitions }, { maxSteps: options.maxSteps ?? 30 });
  const steps = options.mapSteps ? generated.map(options.mapSteps) : generated;
  return fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), faults, steps, async (seed, rates, schedule) => {
    const sim = await createSimulation({
      actors: options.actors,
      seed,
      nodes,
      partitions,
      faults: rates,
      ...(options.wrapTransport ? { wrapTransport: options.wrapTransport } : {}),
    });
    try {
      const outcome = await runSchedule(sim, schedule);
      await sim.settle();
      const report = checkAll(sim.history);
      const result = { sim, history: sim.history, outcome, report, seed, steps: schedule };
      await (options.check ?? ((r: SimulationResult<A>) => assertChecks(r.report)))(result);
    } finally {
      await sim.stop();
    }
  });
}

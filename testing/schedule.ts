/**
 * Schedules: what a simulated run does, as plain data that fast-check generates and
 * shrinks. A step is either workload (a send from some node) or a fault (run time forward,
 * crash, restart, pause past the lease, resume, move a partition, jump a clock).
 */
import fc from 'fast-check';
import type { ActorRef, EventObject } from '../runtime/index.ts';
import type { FaultOptions } from '../transport/memory/index.ts';
import type { Simulation } from './simulation.ts';

export type FaultStep =
  | { readonly kind: 'run'; readonly ms: number }
  /** Runs a few scheduler tasks without moving time: faults then land mid-flight. */
  | { readonly kind: 'tick'; readonly tasks: number }
  | { readonly kind: 'crash'; readonly node: number }
  | { readonly kind: 'restart'; readonly node: number }
  | { readonly kind: 'pause'; readonly node: number }
  | { readonly kind: 'resume'; readonly node: number }
  | { readonly kind: 'move'; readonly partition: number; readonly node: number }
  | { readonly kind: 'jump'; readonly node: number; readonly ms: number };

/** A send of the workload: from node index `from`. */
export interface SendStep<E extends EventObject = EventObject> {
  readonly kind: 'send';
  readonly from: number;
  readonly to: ActorRef<E>;
  readonly event: E;
}

export type Step = FaultStep | SendStep;

export interface FaultStepOptions {
  readonly nodes: number;
  readonly partitions: number;
  /** Largest clock jump either way, ms. Default 200 (within the HLC max offset). */
  readonly maxJumpMs?: number;
  /** Longest `run` step, ms. Default 4000 (past the default 3 s lease). */
  readonly maxRunMs?: number;
}

/** One fault step. Crashes and pauses are rarer than running time forward. */
export function faultStepArb(o: FaultStepOptions): fc.Arbitrary<FaultStep> {
  const node = fc.integer({ min: 0, max: o.nodes - 1 });
  const maxJump = o.maxJumpMs ?? 200;
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('run' as const), ms: fc.integer({ min: 0, max: o.maxRunMs ?? 4000 }) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('tick' as const), tasks: fc.integer({ min: 1, max: 30 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), node }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), node }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('pause' as const), node }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('resume' as const), node }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), partition: fc.integer({ min: 0, max: o.partitions - 1 }), node }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('jump' as const), node, ms: fc.integer({ min: -maxJump, max: maxJump }) }) },
  );
}

/** Rates of the transport's own faults (duplicates, lost acks, delays, refused appends). */
export function faultRatesArb(): fc.Arbitrary<FaultOptions> {
  const rate = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.3, noNaN: true }));
  return fc.record({
    duplicateRate: rate,
    dropAckRate: rate,
    delayRate: rate,
    maxDelayMs: fc.integer({ min: 1, max: 200 }),
    publishFailureRate: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true })),
    publishAckLossRate: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true })),
  });
}

/** A schedule: workload sends interleaved with fault steps. */
export function scheduleArb(
  send: fc.Arbitrary<SendStep>,
  faults: FaultStepOptions,
  size: { readonly minSteps?: number; readonly maxSteps?: number } = {},
): fc.Arbitrary<Step[]> {
  const step = fc.oneof({ weight: 3, arbitrary: send as fc.Arbitrary<Step> }, { weight: 1, arbitrary: faultStepArb(faults) as fc.Arbitrary<Step> });
  return fc.array(step, { minLength: size.minSteps ?? 1, maxLength: size.maxSteps ?? 30 });
}

/** What a run did, for properties that compare state with what was accepted. */
export interface RunOutcome {
  /** One entry per send step, in order: resolves to whether the log accepted it. */
  readonly sends: ReadonlyArray<{ readonly step: SendStep; readonly accepted: Promise<boolean> }>;
}

/** Executes a schedule step by step. Sends are not awaited: they overlap like real traffic. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runSchedule(sim: Simulation<any>, steps: readonly Step[]): Promise<RunOutcome> {
  const sends: Array<{ step: SendStep; accepted: Promise<boolean> }> = [];
  const id = (i: number) => sim.nodeIds[i % sim.nodeIds.length]!;
  for (const step of steps) {
    switch (step.kind) {
      case 'send':
        sends.push({ step, accepted: sim.send(id(step.from), step.to, step.event as never) });
        await sim.tick(1);
        break;
      case 'tick':
        await sim.tick(step.tasks);
        break;
      case 'run':
        await sim.run(step.ms);
        break;
      case 'crash':
        sim.crash(id(step.node));
        break;
      case 'restart':
        await sim.restart(id(step.node));
        break;
      case 'pause':
        sim.pause(id(step.node));
        break;
      case 'resume':
        sim.resume(id(step.node));
        break;
      case 'move':
        await sim.move(step.partition, id(step.node));
        break;
      case 'jump':
        sim.jump(id(step.node), step.ms);
        break;
    }
  }
  return { sends };
}

/**
 * Model-based testing with fast-check commands: the same workload and faults as schedules,
 * as `fc.AsyncCommand`s over a small model of which nodes are up, crashed or paused. The
 * model's preconditions keep every generated sequence meaningful (only a crashed node is
 * restarted, only a running one paused), which makes shrinking converge on short stories.
 *
 *   await fc.assert(fc.asyncProperty(fc.integer(), simulationCommands(work, { nodes: 3, partitions: 8 }),
 *     (seed, cmds) => runSimulationCommands({ actors, seed }, cmds, (r) => assertChecks(r.report))));
 */
import fc from 'fast-check';
import type { ActorDefinition } from '../actors/index.ts';
import { checkAll, type CheckReport } from './checkers/index.ts';
import type { HistoryEvent } from './history.ts';
import type { FaultStepOptions, SendStep } from './schedule.ts';
import { createSimulation, type Simulation, type SimulationOptions } from './simulation.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = ActorDefinition<string, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySimulation = Simulation<any>;

/** What the commands know of the cluster. */
export interface SimulationModel {
  readonly nodes: number;
  readonly crashed: Set<number>;
  readonly paused: Set<number>;
  sends: number;
}

type Command = fc.AsyncCommand<SimulationModel, AnySimulation>;

const id = (sim: AnySimulation, node: number) => sim.nodeIds[node % sim.nodeIds.length]!;
const up = (m: SimulationModel, node: number) => !m.crashed.has(node) && !m.paused.has(node);

class Send implements Command {
  constructor(readonly step: SendStep) {}
  check = (m: Readonly<SimulationModel>) => up(m as SimulationModel, this.step.from % m.nodes);
  async run(m: SimulationModel, sim: AnySimulation) {
    m.sends++;
    void sim.send(id(sim, this.step.from), this.step.to, this.step.event as never);
    await sim.tick(1);
  }
  toString = () => `send(n${(this.step.from % 3) + 1} → ${this.step.to.type}/${this.step.to.id} ${this.step.event.type})`;
}

class Advance implements Command {
  constructor(readonly ms: number, readonly tasks: number) {}
  check = () => true;
  async run(_m: SimulationModel, sim: AnySimulation) {
    if (this.ms > 0) await sim.run(this.ms);
    else await sim.tick(this.tasks);
  }
  toString = () => (this.ms > 0 ? `run(${this.ms} ms)` : `tick(${this.tasks})`);
}

class Crash implements Command {
  constructor(readonly node: number) {}
  // Keep one node up, so the cluster can make progress before `settle`.
  check = (m: Readonly<SimulationModel>) => !m.crashed.has(this.node) && m.crashed.size + m.paused.size < m.nodes - 1;
  async run(m: SimulationModel, sim: AnySimulation) {
    m.crashed.add(this.node);
    m.paused.delete(this.node);
    sim.crash(id(sim, this.node));
  }
  toString = () => `crash(n${this.node + 1})`;
}

class Restart implements Command {
  constructor(readonly node: number) {}
  check = (m: Readonly<SimulationModel>) => m.crashed.has(this.node);
  async run(m: SimulationModel, sim: AnySimulation) {
    m.crashed.delete(this.node);
    await sim.restart(id(sim, this.node));
  }
  toString = () => `restart(n${this.node + 1})`;
}

class Pause implements Command {
  constructor(readonly node: number, readonly ms: number) {}
  check = (m: Readonly<SimulationModel>) => up(m as SimulationModel, this.node) && m.crashed.size + m.paused.size < m.nodes - 1;
  async run(m: SimulationModel, sim: AnySimulation) {
    // Paused past the lease, then woken: the SIGSTOP story in one command.
    sim.pause(id(sim, this.node));
    await sim.run(this.ms);
    sim.resume(id(sim, this.node));
  }
  toString = () => `pause(n${this.node + 1}, ${this.ms} ms)`;
}

class Move implements Command {
  constructor(readonly partition: number, readonly node: number) {}
  check = (m: Readonly<SimulationModel>) => up(m as SimulationModel, this.node);
  async run(_m: SimulationModel, sim: AnySimulation) {
    await sim.move(this.partition, id(sim, this.node));
  }
  toString = () => `move(p${this.partition} → n${this.node + 1})`;
}

class Jump implements Command {
  constructor(readonly node: number, readonly ms: number) {}
  check = () => true;
  async run(_m: SimulationModel, sim: AnySimulation) {
    sim.jump(id(sim, this.node), this.ms);
  }
  toString = () => `jump(n${this.node + 1}, ${this.ms} ms)`;
}

/** Commands: the workload's sends plus node faults, for `fc.asyncModelRun`. */
export function simulationCommands(
  workload: fc.Arbitrary<SendStep>,
  o: FaultStepOptions,
  size: { readonly maxCommands?: number } = {},
): fc.Arbitrary<Iterable<Command>> {
  const node = fc.integer({ min: 0, max: o.nodes - 1 });
  return fc.commands(
    [
      workload.map((s) => new Send(s)),
      fc.integer({ min: 0, max: o.maxRunMs ?? 4000 }).map((ms) => new Advance(ms, 0)),
      fc.integer({ min: 1, max: 30 }).map((tasks) => new Advance(0, tasks)),
      node.map((n) => new Crash(n)),
      node.map((n) => new Restart(n)),
      fc.tuple(node, fc.integer({ min: 0, max: 6000 })).map(([n, ms]) => new Pause(n, ms)),
      fc.tuple(fc.integer({ min: 0, max: o.partitions - 1 }), node).map(([p, n]) => new Move(p, n)),
      fc.tuple(node, fc.integer({ min: -(o.maxJumpMs ?? 200), max: o.maxJumpMs ?? 200 })).map(([n, ms]) => new Jump(n, ms)),
    ],
    { maxCommands: size.maxCommands ?? 30 },
  );
}

export interface CommandRunResult {
  readonly sim: AnySimulation;
  readonly history: readonly HistoryEvent[];
  readonly report: CheckReport;
}

/**
 * Runs commands against a fresh simulation, settles it, checks the history and hands the
 * result to `check` (throw to fail). The simulation is stopped afterwards.
 */
export async function runSimulationCommands<const A extends readonly AnyDefinition[]>(
  options: SimulationOptions<A>,
  commands: Iterable<Command>,
  check: (result: CommandRunResult) => void | Promise<void>,
): Promise<void> {
  const sim = await createSimulation(options);
  try {
    const nodes = sim.nodeIds.length;
    await fc.asyncModelRun(() => ({ model: { nodes, crashed: new Set<number>(), paused: new Set<number>(), sends: 0 }, real: sim }), commands);
    await sim.settle();
    await check({ sim, history: sim.history, report: checkAll(sim.history) });
  } finally {
    await sim.stop();
  }
}

/**
 * A deterministic, seeded cluster of N Causeway nodes in one process, over the memory
 * transport: virtual time, a skewed clock per node, and faults (delays, duplicates, lost
 * acks, refused appends, crashes, pauses past the lease, partition moves, clock jumps).
 * Everything the nodes do is recorded as a `History` for the checkers. Same seed and same
 * calls give the same run.
 */
import { createNode, type Node } from '../index.ts';
import { initLatency } from '../runtime/latency.ts';
import type { ActorDefinition } from '../actors/index.ts';
import type { ActorRef, EventObject, Transport } from '../runtime/index.ts';
import { createMemoryCluster, type FaultOptions, type MemoryCluster } from '../transport/memory/index.ts';
import type { HistoryEvent } from './history.ts';

/** Tasks `settle` may run before it calls the run stuck. */
const SETTLE_STEPS = 200_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = ActorDefinition<string, any>;

export interface SimulationOptions<A extends readonly AnyDefinition[]> {
  readonly actors: A;
  readonly seed: number;
  /** Default 3. */
  readonly nodes?: number;
  /** Default 8 (few partitions: more contention, smaller runs). */
  readonly partitions?: number;
  readonly faults?: FaultOptions;
  /** Each node's clock is skewed by a seeded amount in [-maxSkewMs, maxSkewMs]. Default 100. */
  readonly maxSkewMs?: number;
  /** Default 3000 (virtual ms). */
  readonly leaseMs?: number;
  /** Default 2000: redelivery after a lost ack comes within a run. */
  readonly ackWaitMs?: number;
  /** HLC max offset of every node. Default 500. */
  readonly maxOffsetMs?: number;
  /**
   * Wraps the transport each node connects through: to test a transport of your own, or to
   * break one on purpose and watch the checkers notice.
   */
  readonly wrapTransport?: (transport: Transport, cluster: MemoryCluster) => Transport;
}

export interface Simulation<A extends readonly AnyDefinition[]> {
  readonly cluster: MemoryCluster;
  readonly history: HistoryEvent[];
  readonly nodeIds: readonly string[];
  /** The live node with this id (undefined while crashed). */
  node(id: string): Node<A> | undefined;
  /**
   * Sends from a node; resolves true when accepted, false when refused (never throws for
   * that). It resolves only as the simulation runs: do not await it before `run`/`tick`.
   */
  send<E extends EventObject>(from: string, ref: ActorRef<E>, event: NoInfer<E>): Promise<boolean>;
  crash(id: string): void;
  restart(id: string): Promise<void>;
  pause(id: string): void;
  resume(id: string): void;
  move(partition: number, to: string): Promise<void>;
  /** Moves a node's physical clock by `ms` (either way). */
  jump(id: string, ms: number): void;
  /** Runs virtual time forward. */
  run(ms: number): Promise<void>;
  /** Runs up to `tasks` scheduler tasks that are due now, without moving time. */
  tick(tasks: number): Promise<void>;
  /** Faults off, every node up, run until nothing is left to do. */
  settle(): Promise<void>;
  /** Reads an actor's answer to an ask through a live node (after `settle`). */
  ask<E extends EventObject>(ref: ActorRef<E>, event: NoInfer<E>): Promise<unknown>;
  stop(): Promise<void>;
}

export async function createSimulation<const A extends readonly AnyDefinition[]>(
  options: SimulationOptions<A>,
): Promise<Simulation<A>> {
  const { actors, seed, nodes: count = 3, partitions = 8, maxSkewMs = 100 } = options;
  const cluster = createMemoryCluster({
    seed,
    partitions,
    mode: 'sim',
    faults: options.faults ?? {},
    leaseMs: options.leaseMs ?? 3000,
    ackWaitMs: options.ackWaitMs ?? 2000,
    onError: () => undefined,
  });
  const { scheduler } = cluster;
  // The one piece of real asynchronous work (loading the WebAssembly histograms) happens
  // here, so driving the simulation never has to wait for the outside world.
  await initLatency();
  const drive = <T>(p: Promise<T>) => scheduler.drive(p, { idleGraceMs: 20 });
  const history: HistoryEvent[] = [];
  const nodeIds = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const live = new Map<string, Node<A>>();
  const paused = new Set<string>();
  let skewSeed = seed >>> 0;
  const nextSkew = () => {
    skewSeed = (Math.imul(skewSeed ^ (skewSeed >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return maxSkewMs === 0 ? 0 : (skewSeed % (2 * maxSkewMs + 1)) - maxSkewMs;
  };
  const skews = new Map(nodeIds.map((id) => [id, nextSkew()]));

  async function start(id: string): Promise<void> {
    const info = cluster.nodeInfo(id, { skewMs: skews.get(id)! });
    const node = await drive(
      createNode({
        actors,
        transport: options.wrapTransport ? options.wrapTransport(cluster.transport(), cluster) : cluster.transport(),
        nodeId: id,
        clock: info.clock,
        timers: info.timers,
        idleMs: 5_000,
        // Periodic reports would keep virtual time from ever running out of work.
        metricsIntervalMs: 0,
        // A crashed node's runtime goes on failing against its dead session: expected here.
        onError: () => undefined,
        askTimeoutMs: 10_000,
        ...(options.maxOffsetMs !== undefined ? { maxOffsetMs: options.maxOffsetMs } : {}),
        inspect: (e) => history.push(e as HistoryEvent),
      }),
    );
    live.set(id, node);
  }

  for (const id of nodeIds) await start(id);

  const sim: Simulation<A> = {
    cluster,
    history,
    nodeIds,
    node: (id) => live.get(id),
    async send(from, ref, event) {
      const node = live.get(from);
      if (node === undefined || paused.has(from)) return false;
      return node.send(ref, event).then(
        () => true,
        () => false,
      );
    },
    crash(id) {
      if (!live.has(id)) return;
      cluster.crash(id);
      live.delete(id);
      paused.delete(id);
      history.push({ kind: 'crash', node: id, at: scheduler.now() });
    },
    async restart(id) {
      if (live.has(id)) return;
      history.push({ kind: 'restart', node: id, at: scheduler.now() });
      await start(id);
    },
    pause(id) {
      // A node that just resumed from an expired lease is still rejoining: not pausable yet.
      if (!live.has(id) || paused.has(id) || cluster.nodeState(id) !== 'up') return;
      paused.add(id);
      cluster.pause(id);
    },
    resume(id) {
      if (!paused.delete(id)) return;
      cluster.resume(id);
    },
    async move(partition, to) {
      if (!live.has(to) || paused.has(to)) return;
      await drive(cluster.movePartition(partition, to).catch(() => undefined));
    },
    jump(id, ms) {
      cluster.nodeInfo(id).clock.jump(ms);
    },
    async run(ms) {
      await scheduler.runFor(ms);
    },
    async tick(tasks) {
      await scheduler.runUntilIdle({ maxSteps: tasks, untilTime: scheduler.now() });
    },
    async settle() {
      cluster.setFaults({ duplicateRate: 0, dropAckRate: 0, delayRate: 0, publishFailureRate: 0, publishAckLossRate: 0 });
      for (const id of [...paused]) sim.resume(id);
      for (const id of nodeIds) if (!live.has(id)) await sim.restart(id);
      // Long enough for leases, ack waits and durable timers to play out.
      await scheduler.runFor(60_000, { maxSteps: SETTLE_STEPS });
      const idle = await scheduler.runUntilIdle({ maxSteps: SETTLE_STEPS });
      if (!idle.idle) {
        // Work that never ends is a finding (a retry loop, a livelock), not a hang.
        throw new Error(`simulation did not settle within ${SETTLE_STEPS} tasks after ${idle.time - cluster.options.epochMs} virtual ms`);
      }
    },
    async ask(ref, event) {
      const node = [...live.values()][0];
      if (node === undefined) throw new Error('no live node to ask through');
      return drive(node.ask(ref, event));
    },
    async stop() {
      for (const node of live.values()) await drive(node.stop()).catch(() => undefined);
      live.clear();
    },
  };
  return sim;
}

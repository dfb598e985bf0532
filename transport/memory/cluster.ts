/**
 * The simulated cluster: one log, one state store, one wire and one ownership table shared
 * by every node connected through its transport, all driven by one seeded scheduler, plus
 * the faults a simulator inflicts on nodes (crash, pause, forced partition moves).
 */
import { InvalidOptionError, NodeStoppedError } from '../../runtime/errors.ts';
import type { NodeInfo, Transport, TransportSession } from '../../runtime/types.ts';
import { MemoryDeadLetters } from './dead-letters.ts';
import { MemoryLog } from './log.ts';
import { MemoryNode, type NodeState } from './node.ts';
import type { SkewedClock } from './node-clock.ts';
import {
  parseClusterOptions,
  parseFaults,
  type FaultOptions,
  type Faults,
  type MemoryClusterOptions,
  type ResolvedClusterOptions,
} from './options.ts';
import { OwnershipTable } from './ownership.ts';
import { Rng } from './rng.ts';
import { SimScheduler } from './scheduler.ts';
import { MemorySession } from './session.ts';
import { MemoryStateStore } from './state-store.ts';
import type { MemoryCluster } from './types.ts';
import { MemoryWire } from './wire.ts';

/**
 * Creates a simulated cluster. In `'sim'` mode nothing happens until the test drives
 * `cluster.scheduler` (`runUntilIdle`, `drive`, `step`); in `'auto'` mode (the default) it
 * runs by itself in real time.
 */
export function createMemoryCluster(options: MemoryClusterOptions = {}): MemoryCluster {
  return new SimulatedCluster(parseClusterOptions(options));
}

class SimulatedCluster implements MemoryCluster {
  readonly scheduler: SimScheduler;
  readonly log: MemoryLog;
  readonly stateStore: MemoryStateStore;
  readonly deadLetters = new MemoryDeadLetters();
  readonly ownership: OwnershipTable;
  private readonly wire: MemoryWire;
  private readonly nodes = new Map<string, MemoryNode>();
  private readonly pauses = new Map<MemoryNode, object>();
  private faults: Faults;
  private readonly report: (error: unknown, context: string) => void;

  constructor(readonly options: ResolvedClusterOptions) {
    const { mode, partitions, epochMs, onError } = options;
    this.report = onError;
    const root = new Rng(options.seed);
    this.scheduler = new SimScheduler({ mode, rng: root.fork(), epochMs, onError: (e, label) => onError(e, `task '${label}'`) });
    this.faults = options.faults;
    this.ownership = new OwnershipTable(partitions, this.nodes, onError);
    this.log = new MemoryLog({
      partitions,
      scheduler: this.scheduler,
      rng: root.fork(),
      faults: () => this.faults,
      ackWaitMs: options.ackWaitMs,
      maxAckPending: options.maxAckPending,
      dedupWindowMs: options.dedupWindowMs,
      report: onError,
      mayConsume: (p, nodeId) => this.ownership.mayConsume(p, nodeId),
    });
    this.stateStore = new MemoryStateStore({
      partitions,
      fence: (p, epoch) => this.ownership.fence(p, epoch),
      now: () => this.scheduler.now(),
    });
    this.wire = new MemoryWire(onError);
  }

  transport(): Transport {
    return { kind: 'memory', connect: (node) => this.connect(node) };
  }

  nodeInfo(nodeId: string, options: { skewMs?: number } = {}): NodeInfo & { clock: SkewedClock } {
    // A restart builds its node (and may set timers) before it connects.
    if (this.nodes.get(nodeId)?.state === 'crashed') this.scheduler.reviveNode(nodeId);
    return { nodeId, clock: this.scheduler.clockFor(nodeId, options.skewMs), timers: this.scheduler.timersFor(nodeId) };
  }

  nodeState(nodeId: string): NodeState | undefined {
    return this.nodes.get(nodeId)?.state;
  }

  crash(nodeId: string): void {
    const node = this.connected(nodeId);
    node.die('crashed');
    node.member = false;
    this.pauses.delete(node);
    this.scheduler.crashNode(nodeId);
    this.log.detach(node);
    this.wire.detach(node);
    void this.ownership.rebalance(this.ownership.revoke(nodeId, 'crashed'));
  }

  pause(nodeId: string): void {
    const node = this.connected(nodeId);
    if (node.state !== 'up') throw new InvalidOptionError('nodeId', `node '${nodeId}' is ${node.state}, not up`);
    node.state = 'paused';
    this.scheduler.pauseNode(nodeId);
    const pause = {};
    this.pauses.set(node, pause);
    // The lease runs out in the cluster's time, not the node's (whose timers are stopped).
    this.scheduler.schedule(
      `lease-expiry ${nodeId}`,
      () => {
        if (this.pauses.get(node) === pause && node.state === 'paused') this.expire(node);
      },
      { delayMs: this.options.leaseMs },
    );
  }

  resume(nodeId: string): void {
    const node = this.connected(nodeId);
    if (node.state !== 'paused' && node.state !== 'expired') {
      throw new InvalidOptionError('nodeId', `node '${nodeId}' is ${node.state}, not paused`);
    }
    this.pauses.delete(node);
    this.scheduler.resumeNode(nodeId);
    if (node.state === 'paused') {
      node.state = 'up';
      return;
    }
    // Still 'expired' (holding no lease) until it has heard of every loss: only then may
    // it acquire again, so a `lost(p)` can never overtake a newer `acquire(p)`.
    node.run(`resume ${nodeId}`, () => {
      if (node.state !== 'expired') return; // closed meanwhile
      for (const partition of node.lostWhilePaused.splice(0)) {
        try {
          node.handlers?.lost(partition);
        } catch (error) {
          this.report(error, `lost p${partition} on node '${nodeId}'`);
        }
      }
      node.state = 'up';
      if (node.member) void this.ownership.rebalance();
    });
  }

  movePartition(partition: number, nodeId: string): Promise<void> {
    if (!(Number.isInteger(partition) && partition >= 0 && partition < this.options.partitions)) {
      return Promise.reject(new RangeError(`unknown partition: ${partition} (of ${this.options.partitions})`));
    }
    return this.ownership.move(partition, nodeId);
  }

  setFaults(faults: FaultOptions): void {
    this.faults = parseFaults(faults, this.faults);
  }

  private async connect(info: NodeInfo): Promise<TransportSession> {
    const id = info.nodeId;
    if (typeof id !== 'string' || id === '') throw new InvalidOptionError('nodeId', `must be a non-empty string, got '${id}'`);
    if (this.nodes.get(id)?.connected) throw new InvalidOptionError('nodeId', `node '${id}' is already connected`);
    this.scheduler.reviveNode(id);
    const node = new MemoryNode(id, this.scheduler, this.report);
    this.nodes.set(id, node);
    return new MemorySession(node, {
      partitions: this.options.partitions,
      log: this.log.view(node),
      state: this.stateStore.view(node),
      ownership: this.ownership.view(node),
      deadLetters: this.deadLetters.view(node),
      wire: this.wire.view(node),
      disconnect: () => {
        node.die('closed');
        this.pauses.delete(node);
        this.log.detach(node);
        this.wire.detach(node);
      },
    });
  }

  /** Lease ran out while paused: its partitions go to others, fenced by new epochs. */
  private expire(node: MemoryNode): void {
    node.die('expired');
    this.log.detach(node);
    const taken = this.ownership.revoke(node.id, 'expired');
    node.lostWhilePaused.push(...taken);
    void this.ownership.rebalance(taken);
  }

  private connected(nodeId: string): MemoryNode {
    const node = this.nodes.get(nodeId);
    if (node === undefined || !node.connected) throw new NodeStoppedError(nodeId);
    return node;
  }
}

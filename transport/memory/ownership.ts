/**
 * Partition ownership in the simulated cluster: who holds each partition's lease and under
 * which epoch (the fencing token the state store checks).
 *
 * Placement is rendezvous hashing over the members holding leases, so a join or leave moves
 * only the partitions whose top member changed. A move is a drain: the old owner's
 * `release(p)` is awaited (it may still commit under its epoch meanwhile), then the next
 * owner gets `acquire(p, epoch + 1)`. A crashed or expired owner is not asked: its
 * partitions are revoked at once (fenced immediately) and handed on.
 *
 * Moves of one partition are serialised on a per-partition chain; each step re-reads the
 * membership, so joins and crashes arriving mid-move converge on the right owner.
 */
import { NodeStoppedError, StaleEpochError } from '../../runtime/errors.ts';
import { rendezvousOwner } from '../../runtime/placement.ts';
import type { Ownership } from '../../runtime/types.ts';
import type { MemoryNode } from './node.ts';

/** What happened to a partition's lease (for tests and the simulator's history). */
export type OwnershipEvent =
  | { readonly type: 'acquire'; readonly partition: number; readonly node: string; readonly epoch: number }
  | { readonly type: 'release'; readonly partition: number; readonly node: string; readonly epoch: number }
  | {
      readonly type: 'revoke';
      readonly partition: number;
      readonly node: string;
      readonly epoch: number;
      readonly reason: 'crashed' | 'expired';
    };

export class OwnershipTable {
  private readonly owners: (string | undefined)[];
  /** Epoch of each partition's latest assignment; 0 = never assigned. */
  private readonly epochs: number[];
  private readonly chains: Promise<void>[];
  /** Forced placements (`movePartition`), kept while the node holds leases. */
  private readonly pins = new Map<number, string>();
  private readonly listeners = new Set<(event: OwnershipEvent) => void>();

  constructor(
    readonly partitions: number,
    private readonly nodes: ReadonlyMap<string, MemoryNode>,
    private readonly report: (error: unknown, context: string) => void,
  ) {
    this.owners = new Array<string | undefined>(partitions).fill(undefined);
    this.epochs = new Array<number>(partitions).fill(0);
    this.chains = Array.from({ length: partitions }, () => Promise.resolve());
  }

  ownerOf(partition: number): string | undefined {
    return this.owners[partition];
  }

  epochOf(partition: number): number {
    return this.epochs[partition] ?? 0;
  }

  /** Ids of the nodes holding leases, sorted. */
  members(): string[] {
    return [...this.nodes.values()].filter((n) => n.holdsLeases).map((n) => n.id).sort();
  }

  partitionsOf(nodeId: string): number[] {
    return this.owners.flatMap((owner, p) => (owner === nodeId ? [p] : []));
  }

  /** Refuses a write unless `epoch` is the partition's current one and someone holds it. */
  fence(partition: number, epoch: number): void {
    if (this.owners[partition] === undefined || this.epochs[partition] !== epoch) {
      throw new StaleEpochError(partition, epoch, this.epochOf(partition));
    }
  }

  /** Only the lease holder consumes a partition (or anyone while nobody holds it). */
  mayConsume(partition: number, nodeId: string): boolean {
    const owner = this.owners[partition];
    return owner === undefined || owner === nodeId;
  }

  onEvent(listener: (event: OwnershipEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-places `partitions` (default all); resolves when they have settled. */
  rebalance(partitions?: readonly number[]): Promise<void> {
    const which = partitions ?? Array.from({ length: this.partitions }, (_, p) => p);
    return Promise.all(which.map((p) => this.enqueue(p))).then(() => undefined);
  }

  /** Forces `partition` onto `nodeId` (drain first); it stays there while the node lives. */
  move(partition: number, nodeId: string): Promise<void> {
    if (!this.nodes.get(nodeId)?.holdsLeases) return Promise.reject(new NodeStoppedError(nodeId));
    this.pins.set(partition, nodeId);
    return this.enqueue(partition);
  }

  /** Takes every partition of `nodeId` away without a drain; returns them. */
  revoke(nodeId: string, reason: 'crashed' | 'expired'): number[] {
    this.unpin(nodeId);
    const taken = this.partitionsOf(nodeId);
    for (const partition of taken) {
      this.owners[partition] = undefined;
      this.emit({ type: 'revoke', partition, node: nodeId, epoch: this.epochOf(partition), reason });
    }
    return taken;
  }

  /** The `Ownership` a node's session exposes. */
  view(node: MemoryNode): Ownership {
    return {
      start: async (handlers) => {
        if (!node.connected) throw new NodeStoppedError(node.id);
        node.handlers = handlers;
        node.member = true;
        await this.rebalance();
      },
      holds: (partition, epoch) => node.state === 'up' && this.owners[partition] === node.id && this.epochOf(partition) === epoch,
      stop: async () => {
        if (!node.member) return;
        node.member = false;
        this.unpin(node.id);
        await this.rebalance(this.partitionsOf(node.id));
      },
    };
  }

  private unpin(nodeId: string): void {
    for (const [partition, pinned] of this.pins) if (pinned === nodeId) this.pins.delete(partition);
  }

  private desired(partition: number): string | undefined {
    const pinned = this.pins.get(partition);
    if (pinned !== undefined && this.nodes.get(pinned)?.holdsLeases) return pinned;
    return rendezvousOwner(partition, this.members());
  }

  private enqueue(partition: number): Promise<void> {
    const next = this.chains[partition]!.then(() => this.reconcile(partition)).catch((error: unknown) =>
      this.report(error, `placing partition ${partition}`),
    );
    this.chains[partition] = next;
    return next;
  }

  private async reconcile(partition: number): Promise<void> {
    for (;;) {
      const target = this.desired(partition);
      const current = this.owners[partition];
      if (target === current) return;
      if (current !== undefined) {
        const epoch = this.epochOf(partition);
        await this.nodes.get(current)?.invoke(`release p${partition}`, (h) => h.release(partition));
        // A crash or expiry during the drain has revoked the lease already.
        if (this.owners[partition] === current && this.epochs[partition] === epoch) {
          this.owners[partition] = undefined;
          this.emit({ type: 'release', partition, node: current, epoch });
        }
        continue;
      }
      const node = this.nodes.get(target!)!;
      const epoch = this.epochOf(partition) + 1;
      this.epochs[partition] = epoch;
      this.owners[partition] = node.id;
      this.emit({ type: 'acquire', partition, node: node.id, epoch });
      await node.invoke(`acquire p${partition} e${epoch}`, (h) => h.acquire(partition, epoch));
    }
  }

  private emit(event: OwnershipEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.report(error, `ownership listener (${event.type})`);
      }
    }
  }
}

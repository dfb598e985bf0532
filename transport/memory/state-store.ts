/**
 * Actor records of the simulated cluster, fenced by ownership epochs (the memory twin of a
 * KV bucket written under a lease revision). A commit is checked and applied as one task,
 * at the moment it reaches the store: a stale owner's commit that was in flight when its
 * partition moved is refused, and a batch is applied whole or not at all.
 *
 * Every committed version is kept, so tests can see what was written under which epoch.
 */
import { NodeStoppedError } from '../../runtime/errors.ts';
import type { RecordWrite, StateStore } from '../../runtime/types.ts';
import type { MemoryNode } from './node.ts';

/** One committed value of a key. */
export interface RecordVersion {
  readonly partition: number;
  readonly epoch: number;
  readonly node: string;
  readonly data: Uint8Array;
  /** Virtual (or wall-clock) ms of the commit. */
  readonly at: number;
}

export interface StateStoreContext {
  readonly partitions: number;
  /** Throws `StaleEpochError` unless `epoch` is the partition's current one. */
  fence(partition: number, epoch: number): void;
  now(): number;
}

export class MemoryStateStore {
  private readonly versions = new Map<string, RecordVersion[]>();
  private commits = 0;

  constructor(private readonly ctx: StateStoreContext) {}

  /** Latest value of `key`. */
  latest(key: string): Uint8Array | undefined {
    return this.versions.get(key)?.at(-1)?.data;
  }

  /** Every committed version of `key`, oldest first. */
  history(key: string): readonly RecordVersion[] {
    return this.versions.get(key) ?? [];
  }

  keys(): string[] {
    return [...this.versions.keys()].sort();
  }

  /** Number of commits applied so far. */
  get commitCount(): number {
    return this.commits;
  }

  /** The `StateStore` a node's session exposes. */
  view(node: MemoryNode): StateStore {
    const gone = () => new NodeStoppedError(node.id);
    return {
      load: (key) => node.rpc(`load ${key}`, gone, () => this.latest(key)?.slice()),
      commit: async (partition, epoch, writes) => {
        if (!(Number.isInteger(partition) && partition >= 0 && partition < this.ctx.partitions)) {
          throw new RangeError(`unknown partition: ${partition} (of ${this.ctx.partitions})`);
        }
        // Copied now: the caller may reuse its buffers once commit() returns.
        const batch = writes.map((w) => ({ key: w.key, data: w.data.slice() }));
        await node.rpc(`commit p${partition} e${epoch}`, gone, () => this.apply(node.id, partition, epoch, batch));
      },
    };
  }

  private apply(nodeId: string, partition: number, epoch: number, writes: readonly RecordWrite[]): void {
    this.ctx.fence(partition, epoch);
    const at = this.ctx.now();
    for (const { key, data } of writes) {
      const list = this.versions.get(key);
      const version: RecordVersion = { partition, epoch, node: nodeId, data, at };
      if (list === undefined) this.versions.set(key, [version]);
      else list.push(version);
    }
    this.commits++;
  }
}

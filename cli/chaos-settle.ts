/**
 * When has a chaos run settled? Fed history records as they are written, the tracker keeps
 * the events still open: seen accepted by the log (a `send` record) or seen processing (a
 * `start` record, which also catches an event whose send failed to its caller although the
 * log kept it), and neither in an accepted commit nor dead-lettered. The run is settled
 * once nothing was open for a quiet period, long enough for a straggler (a redelivery after
 * the server restart, a send whose ack was lost) to show up.
 *
 * Sound because of the order a node records in: what a turn emits is recorded (written
 * through) before the turn's commit, so a closed event's consequences are already open.
 */
import { partitionOf } from '../index.ts';
import type { HistoryEvent } from '../testing/history.ts';
import type { ChildNode } from './child-node.ts';

/** A partition with events still open when the run stopped waiting. */
export interface StuckPartition {
  readonly partition: number;
  readonly openEvents: number;
  /** Nodes that say they own it: none (unowned) or one that is not processing it. */
  readonly owners: readonly string[];
}

export class Quiescence {
  /** Open event -> its target actor (`<type>/<id>`). */
  readonly #open = new Map<string, string>();
  readonly #done = new Set<string>();
  /** Wall ms since when nothing has been open (0 while something is). */
  #quietSince = Date.now();

  add(records: Iterable<HistoryEvent>): void {
    for (const r of records) {
      if ((r.kind === 'send' && r.accepted) || r.kind === 'start') {
        if (!this.#done.has(r.event)) this.#open.set(r.event, r.kind === 'send' ? r.to : r.actor);
      } else if (r.kind === 'commit' && r.accepted) {
        for (const e of r.appliedEvents) this.#close(e);
      } else if (r.kind === 'dead') {
        this.#close(r.event);
      }
    }
    if (this.#open.size > 0) this.#quietSince = 0;
    else if (this.#quietSince === 0) this.#quietSince = Date.now();
  }

  get openCount(): number {
    return this.#open.size;
  }
  /** A few open event ids, for reports. */
  openSample(count = 5): string[] {
    return [...this.#open.keys()].slice(0, count);
  }


  /** Nothing open for at least `quietMs`. */
  settled(quietMs: number): boolean {
    return this.#quietSince > 0 && Date.now() - this.#quietSince >= quietMs;
  }

  /** Wall ms since when nothing has been open; undefined while something is. */
  get quietSince(): number | undefined {
    return this.#quietSince > 0 ? this.#quietSince : undefined;
  }

  /** Where the open events wait: their partitions, with the owners the nodes report. */
  async stuckPartitions(nodes: readonly ChildNode[], partitions: number): Promise<StuckPartition[]> {
    const open = new Map<number, number>();
    for (const target of this.#open.values()) {
      const slash = target.indexOf('/');
      const p = partitionOf({ type: target.slice(0, slash), id: target.slice(slash + 1) }, partitions);
      open.set(p, (open.get(p) ?? 0) + 1);
    }
    const owned = await Promise.all(
      nodes
        .filter((n) => n.running)
        .map((n) => n.stats().then((s) => ({ node: n.nodeId, partitions: s.stats.partitions }), () => ({ node: n.nodeId, partitions: [] as readonly number[] }))),
    );
    return [...open]
      .sort(([a], [b]) => a - b)
      .map(([partition, openEvents]) => ({ partition, openEvents, owners: owned.filter((o) => o.partitions.includes(partition)).map((o) => o.node) }));
  }

  #close(event: string): void {
    this.#done.add(event);
    this.#open.delete(event);
  }
}

/**
 * When has a client send had all its consequences? Fed history records, the tracker follows
 * each tracked root event through the events its handling caused (`causedBy` links of send
 * records) and calls the root settled once every event of that tree is committed (in an
 * accepted commit's `appliedEvents`) or dead-lettered.
 *
 * Sound because of the order a node records in: an actor publishes what a turn emitted (a
 * send record each) before the turn's commit, and `HistoryFile` writes the commit through
 * with everything before it. So when an event's commit has been read, the sends it caused
 * have been too, and a tree with nothing open can grow no further.
 */
import type { HistoryEvent } from '../testing/history.ts';

export interface Settled {
  readonly root: string;
  /** Wall ms the log accepted the root (its send record). */
  readonly sentAt: number;
  /** Wall ms of the last commit (or dead letter) in its tree. */
  readonly settledAt: number;
  /** Longest chain of caused events below the root (0: only the root). */
  readonly depth: number;
  /** Some event of the tree was dead-lettered. */
  readonly dead: boolean;
}

export class SettleTracker {
  readonly #sentAt = new Map<string, number>();
  readonly #children = new Map<string, string[]>();
  readonly #doneAt = new Map<string, number>();
  readonly #dead = new Set<string>();
  readonly #open = new Set<string>();
  readonly #settled = new Map<string, Settled>();

  /** Follows `root` (an accepted client send's event id). */
  track(root: string): void {
    if (!this.#settled.has(root)) this.#open.add(root);
  }

  add(records: Iterable<HistoryEvent>): void {
    for (const r of records) {
      if (r.kind === 'send' && r.accepted) {
        if (this.#sentAt.has(r.event)) continue; // re-emitted after a replay: same id, same tree
        this.#sentAt.set(r.event, r.at);
        if (r.causedBy !== undefined) {
          const list = this.#children.get(r.causedBy);
          if (list === undefined) this.#children.set(r.causedBy, [r.event]);
          else list.push(r.event);
        }
      } else if (r.kind === 'commit' && r.accepted) {
        for (const e of r.appliedEvents) if (!this.#doneAt.has(e)) this.#doneAt.set(e, r.at);
      } else if (r.kind === 'dead') {
        this.#dead.add(r.event);
        if (!this.#doneAt.has(r.event)) this.#doneAt.set(r.event, r.at);
      }
    }
  }

  /** Re-examines open roots; returns the ones that settled now. */
  update(): Settled[] {
    const now: Settled[] = [];
    for (const root of this.#open) {
      const s = this.#examine(root);
      if (s === undefined) continue;
      this.#open.delete(root);
      this.#settled.set(root, s);
      now.push(s);
    }
    return now;
  }

  get settledCount(): number {
    return this.#settled.size;
  }
  get openCount(): number {
    return this.#open.size;
  }
  settled(): Settled[] {
    return [...this.#settled.values()];
  }
  openRoots(): string[] {
    return [...this.#open];
  }

  #examine(root: string): Settled | undefined {
    const sentAt = this.#sentAt.get(root);
    if (sentAt === undefined) return undefined;
    let settledAt = 0;
    let depth = 0;
    let dead = false;
    const stack: Array<[string, number]> = [[root, 0]];
    while (stack.length > 0) {
      const [event, level] = stack.pop()!;
      const doneAt = this.#doneAt.get(event);
      if (doneAt === undefined) return undefined;
      settledAt = Math.max(settledAt, doneAt);
      depth = Math.max(depth, level);
      dead ||= this.#dead.has(event);
      for (const child of this.#children.get(event) ?? []) stack.push([child, level + 1]);
    }
    return { root, sentAt, settledAt, depth, dead };
  }
}

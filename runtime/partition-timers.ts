/**
 * The durable timers of one partition. An actor's pending timers live in its record; the
 * partition also keeps an index of them under `_timers/<partition>` (written with the group
 * commit), so that a new owner can arm the timers of actors that are not active (passivated,
 * or never activated since a restart) without reading every record.
 */
import { decodeValue, encodeValue } from './codec.ts';
import type { Address, DurableTimer, RecordWrite, StateStore, Timers } from './types.ts';

export class PartitionTimers {
  private readonly index = new Map<string, readonly DurableTimer[]>();
  private dirty = false;
  private readonly handles = new Map<string, () => void>();

  constructor(
    private readonly partition: number,
    private readonly timers: Timers,
    private readonly now: () => number,
    /** Appends a due timer as an event to its actor. */
    private readonly fire: (to: Address, timer: DurableTimer) => void,
  ) {}

  /** Loads the index a previous owner wrote and arms every timer in it. */
  async load(store: StateStore): Promise<void> {
    const data = await store.load(this.key);
    if (data === undefined) return;
    for (const [actorKey, timers] of Object.entries(decodeValue(data) as Record<string, DurableTimer[]>)) {
      this.index.set(actorKey, timers);
      this.arm(actorKey, timers);
    }
  }

  /** (Re)arms timers of one actor; a timer with the same key replaces the armed one. */
  arm(actorKey: string, timers: readonly DurableTimer[]): void {
    const slash = actorKey.indexOf('/');
    const address = { type: actorKey.slice(0, slash), id: actorKey.slice(slash + 1) };
    for (const timer of timers) {
      const handleKey = `${actorKey}\u0000${timer.key}`;
      this.handles.get(handleKey)?.();
      const cancel = this.timers.setTimer(Math.max(0, timer.dueAt - this.now()), () => {
        this.handles.delete(handleKey);
        this.fire(address, timer);
      });
      this.handles.set(handleKey, cancel);
    }
  }

  /** Takes the actors' current timers into the index; returns the write when it changed. */
  update(records: ReadonlyArray<{ readonly key: string; readonly timers: readonly DurableTimer[] }>): RecordWrite | undefined {
    for (const { key, timers } of records) {
      const before = this.index.get(key) ?? [];
      if (before.length === 0 && timers.length === 0) continue;
      if (timers.length === 0) this.index.delete(key);
      else this.index.set(key, timers);
      this.dirty = true;
    }
    if (!this.dirty) return undefined;
    this.dirty = false;
    return { key: this.key, data: encodeValue(Object.fromEntries(this.index)) };
  }

  /** A write carrying the index failed: write it again with the next commit. */
  retry(): void {
    this.dirty = true;
  }

  cancelAll(): void {
    for (const cancel of this.handles.values()) cancel();
    this.handles.clear();
  }

  private get key(): string {
    return `_timers/${this.partition}`;
  }
}

/**
 * The scheduler's queue: tasks not yet due (a heap by due time), tasks due now (from which
 * the scheduler draws at random), and tasks of paused nodes, parked until they resume.
 * Knows nothing of time sources or modes; the scheduler says what "now" is.
 */
import { MinHeap } from './heap.ts';
import type { Rng } from './rng.ts';

export interface Task {
  readonly id: number;
  readonly label: string;
  readonly fn: () => void;
  readonly dueAt: number;
  /** Node the task runs on, if any. */
  readonly node: string | undefined;
  /** Cancelled or already run. */
  done: boolean;
}

export class TaskQueue {
  private readonly future = new MinHeap<Task>((a, b) => a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.id < b.id));
  private ready: Task[] = [];
  private readonly parked = new Map<string, Task[]>();
  private readonly paused = new Set<string>();
  private readonly crashed = new Set<string>();
  private nextId = 0;
  private live = 0;

  /** Tasks neither run nor cancelled, including those of paused nodes. */
  get pending(): number {
    return this.live;
  }

  /** Adds a task; returns undefined (and adds nothing) when its node has crashed. */
  add(label: string, fn: () => void, dueAt: number, now: number, node?: string): Task | undefined {
    if (node !== undefined && this.crashed.has(node)) return undefined;
    const task: Task = { id: this.nextId++, label, fn, dueAt, node, done: false };
    this.live++;
    if (dueAt > now) this.future.push(task);
    else this.makeDue(task);
    return task;
  }

  cancel(task: Task): void {
    if (task.done) return;
    task.done = true;
    this.live--;
  }

  pause(node: string): void {
    this.paused.add(node);
    const keep: Task[] = [];
    for (const task of this.ready) {
      if (task.node === node) this.park(task);
      else keep.push(task);
    }
    this.ready = keep;
  }

  resume(node: string): void {
    this.paused.delete(node);
    this.ready.push(...(this.parked.get(node) ?? []));
    this.parked.delete(node);
  }

  /** Cancels every task of the node and refuses new ones until `revive`. */
  crash(node: string): void {
    this.crashed.add(node);
    this.paused.delete(node);
    const cancelMine = (task: Task) => {
      if (task.node === node) this.cancel(task);
    };
    this.future.forEach(cancelMine);
    this.ready.forEach(cancelMine);
    this.parked.get(node)?.forEach(cancelMine);
    this.parked.delete(node);
  }

  revive(node: string): void {
    this.crashed.delete(node);
  }

  /** Moves tasks due at or before `now` out of the heap. */
  promote(now: number): void {
    for (let top = this.future.peek(); top !== undefined && top.dueAt <= now; top = this.future.peek()) {
      this.future.pop();
      if (!top.done) this.makeDue(top);
    }
  }

  /** Removes and returns a random runnable due task (call `promote` first). */
  takeDue(rng: Rng): Task | undefined {
    while (this.ready.length > 0) {
      const i = rng.int(this.ready.length);
      const task = this.ready[i]!;
      this.ready[i] = this.ready[this.ready.length - 1]!;
      this.ready.pop();
      if (!task.done) {
        task.done = true;
        this.live--;
        return task;
      }
    }
    return undefined;
  }

  /** When the next runnable task is due: `now` if one is due already, else the earliest. */
  nextDueAt(now: number): number | undefined {
    this.promote(now);
    if (this.ready.some((task) => !task.done)) return now;
    while (this.future.peek()?.done) this.future.pop();
    return this.future.peek()?.dueAt;
  }

  private makeDue(task: Task): void {
    if (task.node !== undefined && this.paused.has(task.node)) this.park(task);
    else this.ready.push(task);
  }

  private park(task: Task): void {
    const list = this.parked.get(task.node!);
    if (list === undefined) this.parked.set(task.node!, [task]);
    else list.push(task);
  }
}

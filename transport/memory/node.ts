/**
 * One connected node (one incarnation of a node id) as the simulated cluster sees it: its
 * liveness, its ownership handlers, and the two ways the cluster talks to it.
 *
 * - `rpc`: a request the node makes. The server side runs as one task; the reply runs as a
 *   task on the node, so a paused node does not see it until it resumes and a crashed node
 *   never does (its pending calls are failed instead, so nothing waits forever).
 * - `invoke`: the cluster calls one of the node's handlers as a task on the node; it ends
 *   when the handler's promise settles or when the node dies (crash, lease expiry, close),
 *   whichever comes first, so the cluster never hangs on a dead node.
 */
import type { OwnershipHandlers } from '../../runtime/types.ts';
import type { SimScheduler } from './scheduler.ts';

/**
 * `up`: running. `paused`: stopped (SIGSTOP), still holding its leases. `expired`: paused
 * past the lease, its partitions given away. `crashed`, `closed`: gone for good.
 */
export type NodeState = 'up' | 'paused' | 'expired' | 'crashed' | 'closed';

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class MemoryNode {
  state: NodeState = 'up';
  /** Set by `ownership.start`. */
  handlers: OwnershipHandlers | undefined;
  /** Takes part in placement: ownership started and not stopped. */
  member = false;
  /** Partitions taken away while the node was paused; told via `lost` when it resumes. */
  lostWhilePaused: number[] = [];
  private generation = 0;
  private death = signal();
  private readonly inflight = new Set<() => void>();

  constructor(
    readonly id: string,
    private readonly scheduler: SimScheduler,
    private readonly report: (error: unknown, context: string) => void,
  ) {}

  /** Connected and not crashed or closed (a paused node is still connected). */
  get connected(): boolean {
    return this.state === 'up' || this.state === 'paused' || this.state === 'expired';
  }

  /** Holds leases: a member whose lease has not expired. */
  get holdsLeases(): boolean {
    return this.member && (this.state === 'up' || this.state === 'paused');
  }

  /** Runs `fn` as a task of this node. */
  run(label: string, fn: () => void, delayMs = 0): () => void {
    return this.scheduler.schedule(label, fn, { node: this.id, delayMs });
  }

  /**
   * A request from this node: `serve` runs server-side; its result (or error) comes back as
   * a task of the node. `refuse` makes the error for a node that is gone.
   */
  rpc<T>(label: string, refuse: () => Error, serve: () => T): Promise<T> {
    if (!this.connected) return Promise.reject(refuse());
    return new Promise<T>((resolve, reject) => {
      const fail = () => reject(refuse());
      this.inflight.add(fail);
      this.request(label, () => {
        let outcome: Outcome<T>;
        try {
          outcome = { ok: true, value: serve() };
        } catch (error) {
          outcome = { ok: false, error };
        }
        this.run(`${label} reply`, () => {
          if (!this.inflight.delete(fail)) return;
          if (outcome.ok) resolve(outcome.value);
          else reject(outcome.error);
        });
      });
    });
  }

  private readonly outbox: Array<() => void> = [];
  private flushQueued = false;

  /**
   * Requests reach the server in the order the node made them, like publishes on one NATS
   * connection: per-sender FIFO depends on it. Nodes still interleave with each other.
   */
  private request(label: string, serve: () => void): void {
    this.outbox.push(serve);
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.scheduler.schedule(`${this.id} requests (${label}…)`, () => {
      this.flushQueued = false;
      for (const next of this.outbox.splice(0)) next();
    });
  }

  /** Calls a handler of this node; resolves when it is done or the node is dead to it. */
  invoke(label: string, fn: (handlers: OwnershipHandlers) => void | Promise<void>): Promise<void> {
    const generation = this.generation;
    return new Promise<void>((resolve) => {
      void this.death.promise.then(resolve);
      this.run(label, () => {
        if (generation !== this.generation || this.handlers === undefined) return resolve();
        const failed = (error: unknown) => {
          // A handler failing because its node died meanwhile is no news.
          if (generation === this.generation) this.report(error, `${label} on node '${this.id}'`);
          resolve();
        };
        try {
          Promise.resolve(fn(this.handlers)).then(() => resolve(), failed);
        } catch (error) {
          failed(error);
        }
      });
    });
  }

  /**
   * The node stops counting for the cluster (crash, close, or lease expiry): handler calls
   * in progress stop being awaited, and queued ones will not run.
   */
  die(state: 'crashed' | 'expired' | 'closed'): void {
    this.state = state;
    this.generation++;
    this.death.resolve();
    this.death = signal();
    if (state === 'crashed') {
      const pending = [...this.inflight];
      this.inflight.clear();
      for (const fail of pending) fail();
    }
  }
}

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

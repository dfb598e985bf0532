/**
 * A KV watch that reports when it has caught up and can be restarted.
 *
 * `kv.watch()` is an ordered push consumer; after a server restart it may take long (or
 * fail) to recover, so its owner can `restart()` it when it notices it went quiet (the
 * membership checks that its own heartbeats come back through it).
 */
import { KvWatchInclude, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import type { EventSink } from './events.ts';

export interface WatchOptions {
  readonly kv: KV;
  /** Only changes from now on (no initial values). */
  readonly updatesOnly?: boolean;
  readonly onEntry: (entry: KvWatchEntry) => void;
  readonly events: EventSink;
  /** Names the watch in error reports. */
  readonly where: string;
}

export class BucketWatch {
  #iterator: QueuedIterator<KvWatchEntry> | undefined;
  #stopped = false;
  #run = 0;

  constructor(private readonly o: WatchOptions) {}

  /** Starts (or restarts) the watch; resolves once the bucket's current values were delivered. */
  async start(): Promise<void> {
    this.#iterator?.stop();
    const run = ++this.#run;
    const { kv, updatesOnly } = this.o;
    // The last message of the bucket's stream is some key's current value, so once an entry
    // with that revision (or later) arrived, every current value has.
    const last = updatesOnly ? 0 : (await kv.status()).streamInfo.state.last_seq;
    const iterator = await kv.watch({ include: updatesOnly ? KvWatchInclude.UpdatesOnly : KvWatchInclude.LastValue });
    if (this.#stopped || run !== this.#run) {
      iterator.stop();
      return;
    }
    this.#iterator = iterator;
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    if (last === 0) caughtUp();
    void (async () => {
      try {
        for await (const entry of iterator) {
          try {
            this.o.onEntry(entry);
          } catch (error) {
            this.o.events({ type: 'error', where: `${this.o.where} handler`, error });
          }
          if (entry.revision >= last) caughtUp();
        }
      } catch (error) {
        if (!this.#stopped) this.o.events({ type: 'error', where: this.o.where, error });
      }
      caughtUp(); // an ended watch will not deliver more; do not hang whoever waits
    })();
    await ready;
  }

  /** Restarts the watch, reporting (not throwing) a failure to do so. */
  restart(): void {
    if (this.#stopped) return;
    this.start().catch((error: unknown) => this.o.events({ type: 'error', where: `restarting ${this.o.where}`, error }));
  }

  stop(): void {
    this.#stopped = true;
    this.#iterator?.stop();
    this.#iterator = undefined;
  }
}

/**
 * Appends a node's inspection records to a JSON-lines file: the history format the test kit
 * reads (`parseJsonLines` in `testing/history.ts`), one record per line, in the order the
 * node emitted them.
 *
 * Records are buffered and written every `flushMs`, on `flush()` and on `close()`, except
 * `send`, `commit` and `dead` records: those are written through at once (with everything
 * before them). Each states a fact other nodes build on — an event is in the log, an effect
 * is durable, an event was given up — and a SIGKILLed node's unwritten buffer must not take
 * such a fact with it: a lost commit record makes the history claim the event was never
 * processed (the next owner skips it as applied); a lost send record leaves only a replay's
 * re-emission, stamped anew, to describe an event the log holds with its first stamp. What a
 * kill can still lose is a tail of `clock`/`start`/`end` records, which say nothing durable.
 * Writes are synchronous: once `record` returns, the kernel has the bytes, and a SIGKILL
 * cannot take them back.
 */
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import type { InspectionEvent } from '../index.ts';

/** Default period of buffered writes, ms. */
export const DEFAULT_FLUSH_MS = 100;

export class HistoryFile {
  readonly #fd: number;
  #buffer: string[] = [];
  #timer: NodeJS.Timeout;
  #closed = false;

  /** Opens `path` for appending. `resumed` is true when it already held records (a restart). */
  readonly resumed: boolean;

  constructor(
    readonly path: string,
    flushMs = DEFAULT_FLUSH_MS,
  ) {
    this.resumed = existsSync(path) && statSync(path).size > 0;
    this.#fd = openSync(path, 'a');
    this.#timer = setInterval(() => this.flush(), flushMs);
    this.#timer.unref();
  }

  /** The node's `inspect` observer. */
  readonly record = (event: InspectionEvent): void => {
    if (this.#closed) return;
    this.#buffer.push(JSON.stringify(event));
    if (event.kind === 'send' || event.kind === 'commit' || event.kind === 'dead') this.flush();
  };

  /** Appends a record the node did not emit itself (e.g. `restart`). */
  append(event: { kind: string; node: string; at: number }): void {
    if (this.#closed) return;
    this.#buffer.push(JSON.stringify(event));
    this.flush();
  }

  flush(): void {
    if (this.#buffer.length === 0 || this.#closed) return;
    const bytes = Buffer.from(this.#buffer.join('\n') + '\n');
    this.#buffer = [];
    // A regular file takes it all at once in practice; loop anyway, a short write is legal.
    for (let off = 0; off < bytes.length; ) off += writeSync(this.#fd, bytes, off);
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    clearInterval(this.#timer);
    closeSync(this.#fd);
  }
}

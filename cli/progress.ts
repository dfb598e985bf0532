/**
 * Progress output for long CLI runs. On a terminal, one line redrawn in place (a bar plus a
 * short status); elsewhere (pipes, CI logs) plain lines, at most one per `plainEveryMs`, so
 * logs stay readable. Messages (`note`) always get their own line.
 */
import type { WriteStream } from 'node:tty';

export interface ProgressOptions {
  /** Default `process.stderr`: stdout stays clean for results (e.g. `--json`). */
  readonly stream?: NodeJS.WritableStream;
  /** Bar width in characters. Default 30. */
  readonly width?: number;
  /** Minimum time between plain (non-TTY) lines, ms. Default 1000. */
  readonly plainEveryMs?: number;
  /** Print nothing at all. */
  readonly quiet?: boolean;
}

export class Progress {
  readonly #stream: NodeJS.WritableStream;
  readonly #tty: boolean;
  readonly #width: number;
  readonly #plainEveryMs: number;
  readonly #quiet: boolean;
  #lastPlain = 0;
  #drawn = false;

  constructor(options: ProgressOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.#tty = (this.#stream as WriteStream).isTTY === true;
    this.#width = options.width ?? 30;
    this.#plainEveryMs = options.plainEveryMs ?? 1_000;
    this.#quiet = options.quiet ?? false;
  }

  /** Shows `done` of `total` with a status text. */
  update(done: number, total: number, status: string): void {
    if (this.#quiet) return;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
    if (this.#tty) {
      const filled = Math.round(ratio * this.#width);
      const bar = '█'.repeat(filled) + '░'.repeat(this.#width - filled);
      const columns = (this.#stream as WriteStream).columns ?? 100;
      const line = `${bar} ${pct} ${done}/${total} ${status}`.slice(0, columns - 1);
      this.#stream.write(`\r\x1b[2K${line}`);
      this.#drawn = true;
      return;
    }
    const now = Date.now();
    if (now - this.#lastPlain < this.#plainEveryMs && done < total) return;
    this.#lastPlain = now;
    this.#stream.write(`${pct} ${done}/${total} ${status}\n`);
  }

  /** A message on its own line (the bar is redrawn at the next update). */
  note(message: string): void {
    if (this.#quiet) return;
    this.#clear();
    this.#stream.write(`${message}\n`);
  }

  /** Leaves the bar's last state on screen and moves to a new line. */
  end(): void {
    if (this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
  }

  #clear(): void {
    if (this.#tty && this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}

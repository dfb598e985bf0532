/**
 * Follows JSON-lines history files that other processes append to (`causeway node
 * --history`): each `poll()` returns the complete records added since the last one, per
 * file in file order. A line still being written stays for the next poll. `mergeByTime`
 * makes one history of several.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { toHistoryEvent, type HistoryEvent } from '../testing/history.ts';

interface Followed {
  /** Bytes consumed: always just after a newline. */
  offset: number;
  line: number;
  /** Every record read so far, in file order. */
  readonly records: HistoryEvent[];
}

export class HistoryTail {
  readonly #files = new Map<string, Followed>();

  constructor(paths: Iterable<string>) {
    for (const path of paths) this.#files.set(path, { offset: 0, line: 0, records: [] });
  }

  /** New records of every file. Throws on a line that is not a history record. */
  poll(): HistoryEvent[] {
    const fresh: HistoryEvent[] = [];
    for (const [path, f] of this.#files) {
      if (!existsSync(path)) continue;
      const size = statSync(path).size;
      if (size <= f.offset) continue;
      const bytes = readCompleteLines(path, f.offset, size);
      f.offset += bytes.length;
      const lines = bytes.toString('utf8').split('\n');
      lines.pop(); // empty: the text ends with a newline
      for (const line of lines) {
        f.line++;
        if (line.trim() === '') continue;
        let record: HistoryEvent;
        try {
          record = toHistoryEvent(JSON.parse(line));
        } catch (error) {
          throw new Error(`${path}:${f.line}: ${(error as Error).message}`);
        }
        f.records.push(record);
        fresh.push(record);
      }
    }
    return fresh;
  }

  /** Everything read so far, per file in file order. */
  perFile(): HistoryEvent[][] {
    return [...this.#files.values()].map((f) => f.records);
  }
}

/**
 * Merges per-process histories into one: every list keeps its own order, and across lists
 * the record with the earliest `at` goes first. Only per-node order is real (the checkers
 * rely on nothing more), but where the checkers take "the first record of an event" (e.g. a
 * send replayed after a crash, recorded again by the new owner), earliest-first gives them
 * the original rather than whichever file happened to be read first.
 */
export function mergeByTime(lists: readonly (readonly HistoryEvent[])[]): HistoryEvent[] {
  const heads = lists.map(() => 0);
  const merged: HistoryEvent[] = [];
  const total = lists.reduce((n, l) => n + l.length, 0);
  while (merged.length < total) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const r = lists[i]![heads[i]!];
      if (r !== undefined && (best < 0 || r.at < lists[best]![heads[best]!]!.at)) best = i;
    }
    merged.push(lists[best]![heads[best]!++]!);
  }
  return merged;
}

/** The bytes from `from` up to and including the last newline before `to`. */
function readCompleteLines(path: string, from: number, to: number): Buffer {
  const buffer = Buffer.alloc(to - from);
  const fd = openSync(path, 'r');
  try {
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, from + read);
      if (n === 0) break;
      read += n;
    }
    // A writer may be mid-line (even mid-character): leave that line for the next poll.
    const end = read === 0 ? 0 : buffer.lastIndexOf(0x0a, read - 1) + 1;
    return buffer.subarray(0, end);
  } finally {
    closeSync(fd);
  }
}

/**
 * A FIFO workload: counters that receive numbered events from several senders and keep,
 * per sender, exactly which numbers they applied (as ranges, so gaps stay cheap) and how
 * often a number came out of order or twice. A sender numbers its events to one counter
 * 1, 2, 3, ...; per-sender FIFO (G3) and effectively-once (G5) mean every number it got
 * accepted appears once, in increasing order. `causeway chaos` reads the counters back with
 * `GET` and compares them with what each sender had accepted.
 */
import { assign, setup } from 'xstate';
import { defineActor, reply } from '../../index.ts';

export type CounterEvent = { type: 'ADD'; sender: string; n: number } | { type: 'GET' };

/** What one counter knows about one sender. */
export interface SenderLog {
  /** Highest number applied. */
  readonly last: number;
  /** Applied numbers as sorted, disjoint, non-adjacent inclusive ranges `[from, to]`. */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
}

export interface CounterState {
  /** Events applied. */
  readonly count: number;
  readonly senders: Readonly<Record<string, SenderLog>>;
  /** Numbers that arrived below their sender's highest so far (a G3 violation). */
  readonly outOfOrder: number;
  /** Numbers that arrived a second time (a G5 violation). */
  readonly repeated: number;
}

const EMPTY: SenderLog = { last: 0, ranges: [] };

export function contains(ranges: SenderLog['ranges'], n: number): boolean {
  return ranges.some(([from, to]) => from <= n && n <= to);
}

/** `ranges` with `n` added (not already in it), merged with its neighbours. */
export function insert(ranges: SenderLog['ranges'], n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let placed = false;
  for (const [from, to] of ranges) {
    if (!placed && n < from) {
      out.push([n, n]);
      placed = true;
    }
    out.push([from, to]);
  }
  if (!placed) out.push([n, n]);
  // Merge adjacent ranges (at most the two around `n`).
  const merged: Array<[number, number]> = [];
  for (const r of out) {
    const prev = merged[merged.length - 1];
    if (prev !== undefined && prev[1] + 1 >= r[0]) prev[1] = Math.max(prev[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** Every number in `ranges`, in order. */
export function numbersOf(ranges: SenderLog['ranges']): number[] {
  const out: number[] = [];
  for (const [from, to] of ranges) for (let n = from; n <= to; n++) out.push(n);
  return out;
}

export const counterMachine = setup({
  types: {
    context: {} as CounterState,
    events: {} as CounterEvent,
  },
}).createMachine({
  id: 'counter',
  context: { count: 0, senders: {}, outOfOrder: 0, repeated: 0 },
  on: {
    ADD: {
      actions: assign(({ context, event }) => {
        const log = context.senders[event.sender] ?? EMPTY;
        if (contains(log.ranges, event.n)) return { repeated: context.repeated + 1 };
        return {
          count: context.count + 1,
          outOfOrder: context.outOfOrder + (event.n < log.last ? 1 : 0),
          senders: { ...context.senders, [event.sender]: { last: Math.max(log.last, event.n), ranges: insert(log.ranges, event.n) } },
        };
      }),
    },
    GET: { actions: reply(({ context }) => context) },
  },
});

export const counter = defineActor('counter', counterMachine);

export const fifoActors = [counter] as const;

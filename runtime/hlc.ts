/**
 * Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014) and the
 * fixed-width string form its stamps travel in (DESIGN G1).
 *
 * A stamp is (wall, logical, node). `wall` follows the highest physical time seen, in ms;
 * `logical` orders events within one `wall`; `node` breaks the remaining ties, so stamps
 * order totally. Stamps issued by one clock strictly increase whatever the physical clock
 * does (stall, jump back), and a receive is stamped after the stamp it received.
 *
 * Bound: a remote stamp whose `wall` leads local physical time by more than `maxOffsetMs`
 * is rejected, so `wall <= maxPt + maxOffsetMs + rolls`, where `maxPt` is the highest
 * physical reading this clock has taken and `rolls` counts logical overflows (below). With a
 * physical clock that never goes back, `maxPt` is the current reading: `l - pt <= maxOffsetMs
 * + rolls`. After the physical clock jumps back by `d` ms, `l - pt` may reach
 * `d + maxOffsetMs` until it catches up; no clock can do better without going back itself.
 *
 * Overflow: `logical` is 16 bits. When it would pass `MAX_LOGICAL` the stamp rolls into the
 * next millisecond (`wall + 1`, `logical 0`) instead of wrapping. That needs 65536 events
 * within one ms of `wall`, so `rolls` stays 0 in practice.
 */
import { ClockAheadError, DecodeError, InvalidOptionError } from './errors.ts';
import type { Clock } from './types.ts';

/** One HLC timestamp. Order with `compareHlc`; send as `encodeHlc`. */
export interface HlcStamp {
  /** Physical component, ms since epoch; integer in `[0, MAX_WALL]`. */
  readonly wall: number;
  /** Counter within one `wall`; integer in `[0, MAX_LOGICAL]`. */
  readonly logical: number;
  /** Id of the issuing node: 1–64 characters of `[A-Za-z0-9_.-]`. */
  readonly node: string;
}

export interface HybridClockOptions {
  /**
   * Largest lead, in ms, of a remote stamp's `wall` over local physical time that
   * `receive` accepts. Must be > 0. Default `DEFAULT_MAX_OFFSET_MS` (500).
   */
  maxOffsetMs?: number;
}

/** Default `maxOffsetMs`: 500 ms. */
export const DEFAULT_MAX_OFFSET_MS = 500;
/** Largest `logical` (16 bits): 65535. */
export const MAX_LOGICAL = 0xffff;
/** Largest `wall` (48 bits of ms, about the year 10889). */
export const MAX_WALL = 2 ** 48 - 1;

const NODE_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const WALL_DIGITS = 12;
const LOGICAL_DIGITS = 4;
const PREFIX = WALL_DIGITS + LOGICAL_DIGITS;
const HEX_PREFIX = /^[0-9a-f]{16}$/;

/** Whether `id` may name a node: 1–64 characters of `[A-Za-z0-9_.-]` (ASCII only). */
export function isValidNodeId(id: string): boolean {
  return typeof id === 'string' && NODE_ID.test(id);
}

/** A clock issuing HLC stamps for one node. Not shared between nodes. */
export class HybridClock {
  readonly node: string;
  readonly maxOffsetMs: number;
  readonly #clock: Clock;
  #last: HlcStamp;

  /**
   * @param node this node's id (see `isValidNodeId`); throws `InvalidOptionError` otherwise.
   * @param clock physical time source (`systemClock`, or a `ManualClock` in tests).
   */
  constructor(node: string, clock: Clock, options: HybridClockOptions = {}) {
    const problem = nodeIdProblem(node);
    if (problem !== undefined) throw new InvalidOptionError('node', problem);
    const maxOffsetMs = options.maxOffsetMs ?? DEFAULT_MAX_OFFSET_MS;
    if (typeof maxOffsetMs !== 'number' || !Number.isFinite(maxOffsetMs) || maxOffsetMs <= 0) {
      const got = String(maxOffsetMs);
      throw new InvalidOptionError('maxOffsetMs', `must be a finite number > 0, got ${got}`);
    }
    this.node = node;
    this.maxOffsetMs = maxOffsetMs;
    this.#clock = clock;
    this.#last = { wall: 0, logical: 0, node };
  }

  /** Stamps a local or send event. */
  now(): HlcStamp {
    const pt = this.#clock.now();
    const last = this.#last;
    return pt > last.wall ? this.#issue(pt, 0) : this.#issue(last.wall, last.logical + 1);
  }

  /**
   * Stamps the receipt of `remote`: the result is greater than both `remote` and every stamp
   * this clock issued before. Throws `ClockAheadError` when `remote.wall` leads local
   * physical time by more than `maxOffsetMs`, and `DecodeError` when `remote` is not a valid
   * stamp; in both cases the clock is left as it was.
   */
  receive(remote: HlcStamp): HlcStamp {
    const problem = stampProblem(remote);
    if (problem !== undefined) throw new DecodeError(`invalid remote hlc: ${problem}`);
    const pt = this.#clock.now();
    if (remote.wall - pt > this.maxOffsetMs) {
      throw new ClockAheadError(remote.wall, pt, this.maxOffsetMs);
    }
    const last = this.#last;
    const wall = Math.max(last.wall, remote.wall, pt);
    let logical = 0;
    if (wall === last.wall && wall === remote.wall) {
      logical = Math.max(last.logical, remote.logical) + 1;
    } else if (wall === last.wall) {
      logical = last.logical + 1;
    } else if (wall === remote.wall) {
      logical = remote.logical + 1;
    }
    return this.#issue(wall, logical);
  }

  /** The last stamp issued, without ticking; `{ wall: 0, logical: 0 }` before the first. */
  peek(): HlcStamp {
    return this.#last;
  }

  #issue(wall: number, logical: number): HlcStamp {
    const stamp =
      logical > MAX_LOGICAL
        ? { wall: wall + 1, logical: 0, node: this.node }
        : { wall, logical, node: this.node };
    this.#last = stamp;
    return stamp;
  }
}

/** Total order by (wall, logical, node); nodes compare by UTF-16 code units. Returns -1, 0 or 1. */
export function compareHlc(a: HlcStamp, b: HlcStamp): number {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  if (a.node === b.node) return 0;
  return a.node < b.node ? -1 : 1;
}

/**
 * Fixed-width form: 12 lowercase hex digits of `wall`, 4 of `logical`, then the node id,
 * e.g. `018f2b6c1a2e0003node-1`. The numeric part is fixed width and the node id comes last
 * and is ASCII, so comparing encodings as strings or as UTF-8 bytes gives `compareHlc`'s
 * order. Throws `RangeError` for a stamp outside the ranges of `HlcStamp`.
 */
export function encodeHlc(stamp: HlcStamp): string {
  const problem = stampProblem(stamp);
  if (problem !== undefined) throw new RangeError(`cannot encode hlc: ${problem}`);
  return (
    stamp.wall.toString(16).padStart(WALL_DIGITS, '0') +
    stamp.logical.toString(16).padStart(LOGICAL_DIGITS, '0') +
    stamp.node
  );
}

/**
 * Parses `encodeHlc`'s form. Only the canonical form is accepted (no upper-case hex), so
 * `encodeHlc(decodeHlc(s)) === s` and sorting encodings stays sound. Throws `DecodeError`.
 */
export function decodeHlc(text: string): HlcStamp {
  // Typed as string, but it comes off the wire: check anyway.
  if (typeof text !== 'string') {
    throw new DecodeError(`invalid hlc: expected a string, got ${typeof text}`);
  }
  const problem = HEX_PREFIX.test(text.slice(0, PREFIX))
    ? nodeIdProblem(text.slice(PREFIX))
    : 'expected 12 + 4 lowercase hex digits (wall, logical), then a node id';
  if (problem !== undefined) throw new DecodeError(`invalid hlc ${quote(text)}: ${problem}`);
  return {
    wall: parseInt(text.slice(0, WALL_DIGITS), 16),
    logical: parseInt(text.slice(WALL_DIGITS, PREFIX), 16),
    node: text.slice(PREFIX),
  };
}

function stampProblem(s: HlcStamp): string | undefined {
  if (typeof s !== 'object' || s === null) return 'not an object';
  if (!Number.isInteger(s.wall) || s.wall < 0 || s.wall > MAX_WALL) {
    return `wall ${s.wall} is not an integer in [0, ${MAX_WALL}]`;
  }
  if (!Number.isInteger(s.logical) || s.logical < 0 || s.logical > MAX_LOGICAL) {
    return `logical ${s.logical} is not an integer in [0, ${MAX_LOGICAL}]`;
  }
  return nodeIdProblem(s.node);
}

function nodeIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return `node id must be a string, got ${typeof id}`;
  if (id.length === 0) return 'node id is empty';
  if (id.length > 64) return `node id ${quote(id)} is longer than 64 characters`;
  if (!NODE_ID.test(id)) return `node id ${quote(id)} has characters outside [A-Za-z0-9_.-]`;
  return undefined;
}

/** Quotes untrusted text for a message: escaped, and cut to a readable length. */
function quote(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return `'${JSON.stringify(shown).slice(1, -1)}'`;
}

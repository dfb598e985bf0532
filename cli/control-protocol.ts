/**
 * The control channel of `causeway node --control`: how a parent process (the demo, the
 * multi-process tests) drives a node it started. One JSON object per line each way: requests
 * on the node's stdin, replies on its stdout, matched by `id`. Reply lines start with
 * `{"reply":` so they stand out from anything else the node (or user code) prints.
 *
 * Chosen over an IPC socket because it needs nothing but the pipes every child has, works the
 * same from a shell (`echo '{"id":1,"op":"stats"}' | causeway node ... --control`), and a
 * parent that dies closes the pipe, which the node takes as a request to stop.
 */
import type { Address, EventObject, LatencySnapshot, NodeStats, SendReceipt } from '../index.ts';

export interface SendItem {
  readonly to: Address;
  readonly event: EventObject;
}

export type ControlRequest =
  /** `node.send`; replies with the receipt. */
  | { readonly id: number; readonly op: 'send'; readonly to: Address; readonly event: EventObject }
  /**
   * Sends every item, issued in the given order (so items to one actor keep their order as
   * one sender's FIFO), all in flight together; replies once all settled.
   */
  | { readonly id: number; readonly op: 'send-many'; readonly sends: readonly SendItem[] }
  /** `node.ask`; replies with the answer. */
  | { readonly id: number; readonly op: 'ask'; readonly to: Address; readonly event: EventObject; readonly timeoutMs?: number }
  /** `node.stats()` and `node.latency.snapshot()`. */
  | { readonly id: number; readonly op: 'stats' }
  /** Writes buffered history records to the file now. */
  | { readonly id: number; readonly op: 'flush' }
  /** Replies, then stops the node gracefully (drain, release leases) and exits 0. */
  | { readonly id: number; readonly op: 'stop' };

export type ControlOp = ControlRequest['op'];

export interface SendManyResult {
  readonly accepted: number;
  readonly failed: number;
  /** Ids of the accepted events, in the order of `sends` (failed items have `null`). */
  readonly ids: ReadonlyArray<string | null>;
  /** The first few failure messages. */
  readonly errors: readonly string[];
}

export interface StatsResult {
  readonly stats: NodeStats;
  readonly latency: LatencySnapshot;
}

/** What each op resolves to. */
export interface ControlResults {
  send: SendReceipt;
  'send-many': SendManyResult;
  ask: unknown;
  stats: StatsResult;
  flush: null;
  stop: null;
}

export type ControlReply =
  | { readonly reply: number; readonly ok: true; readonly result: unknown }
  | { readonly reply: number; readonly ok: false; readonly error: string; readonly code?: string };

export const REPLY_PREFIX = '{"reply":';

/** The line a node prints once it is connected and has joined: `causeway node <id> ready ...`. */
export const READY_LINE = /^causeway node (\S+) ready\b/;

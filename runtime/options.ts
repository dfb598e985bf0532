/**
 * Node options: defaults as constants, one parse step that validates and explains.
 */
import { InvalidOptionError } from './errors.ts';
import { DEFAULT_MAX_OFFSET_MS } from './hlc.ts';
import type { Inspector } from './inspection.ts';
import type { MetricsOptions } from './metrics.ts';
import type { Behavior, Clock, Timers, Transport } from './types.ts';

/** Largest encoded envelope a node accepts, bytes. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
/** Events waiting in one actor's mailbox before sends to it are refused. */
export const DEFAULT_MAILBOX_CAPACITY = 10_000;
/** Idle time before an actor is passivated, ms. */
export const DEFAULT_IDLE_MS = 60_000;
/** `ask` timeout, ms. */
export const DEFAULT_ASK_TIMEOUT_MS = 5_000;
/** Attempts at handling one event before it is dead-lettered. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** Sends in flight from one node before `send` waits (backpressure). */
export const DEFAULT_MAX_PENDING_SENDS = 10_000;

/** Metrics options (`metricsIntervalMs`, `metricsPort`, `metricsHost`) are parsed by `metrics.ts`. */
export interface NodeOptions extends MetricsOptions {
  /** Actor types this node hosts (and may address). */
  readonly behaviors: readonly Behavior[];
  readonly transport: Transport;
  /** Default: `node-<random>`. 1–64 chars of `[A-Za-z0-9_.-]`. */
  readonly nodeId?: string;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: real timers. */
  readonly timers?: Timers;
  /** HLC max offset, ms. Default 500. */
  readonly maxOffsetMs?: number;
  /** Default {@link DEFAULT_MAX_PAYLOAD_BYTES}. */
  readonly maxPayloadBytes?: number;
  /** Default {@link DEFAULT_MAILBOX_CAPACITY}. */
  readonly mailboxCapacity?: number;
  /** Default {@link DEFAULT_IDLE_MS}; a behavior's own `idleMs` wins. */
  readonly idleMs?: number;
  /** Default {@link DEFAULT_ASK_TIMEOUT_MS}. */
  readonly askTimeoutMs?: number;
  /** Default {@link DEFAULT_MAX_ATTEMPTS}. */
  readonly maxAttempts?: number;
  /** Default {@link DEFAULT_MAX_PENDING_SENDS}. */
  readonly maxPendingSends?: number;
  /**
   * How long a starting node waits before it stamps anything, ms. A crashed incarnation of
   * the same node id issued stamps up to `maxOffsetMs` past its physical time; waiting that
   * long keeps this node's stamps above them (per-node monotonicity across restarts, as long
   * as the physical clock did not go back). Default: `maxOffsetMs`. 0 when no earlier
   * incarnation can exist (a fresh in-process transport).
   */
  readonly hlcStartupWaitMs?: number;
  /**
   * Where failures that have no caller go (a store that cannot be reached, a timer that
   * could not be appended): they are retried, and reported here. Default: `console.error`.
   */
  readonly onError?: (error: unknown, where: string) => void;
  /** Receives every inspection record (history for the test kit). */
  readonly inspect?: Inspector;
}

export type ResolvedNodeOptions = Required<Omit<NodeOptions, 'inspect' | 'clock' | 'timers' | keyof MetricsOptions>> &
  Pick<NodeOptions, 'inspect'> & { readonly clock: Clock; readonly timers: Timers; readonly hlcStartupWaitMs: number; readonly onError: (error: unknown, where: string) => void };

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new InvalidOptionError(name, `expected a positive integer, got ${value}`);
  }
  return value;
}

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidOptionError(name, `expected an integer >= 0, got ${value}`);
  }
  return value;
}

export function resolveNodeOptions(
  options: NodeOptions,
  defaults: { clock: Clock; timers: Timers; nodeId: () => string },
): ResolvedNodeOptions {
  const seen = new Set<string>();
  for (const b of options.behaviors) {
    if (seen.has(b.type)) throw new InvalidOptionError('behaviors', `actor type '${b.type}' defined twice`);
    seen.add(b.type);
  }
  return {
    behaviors: options.behaviors,
    transport: options.transport,
    nodeId: options.nodeId ?? defaults.nodeId(),
    clock: options.clock ?? defaults.clock,
    timers: options.timers ?? defaults.timers,
    maxOffsetMs: positiveInt('maxOffsetMs', options.maxOffsetMs ?? DEFAULT_MAX_OFFSET_MS),
    hlcStartupWaitMs: nonNegativeInt('hlcStartupWaitMs', options.hlcStartupWaitMs ?? options.maxOffsetMs ?? DEFAULT_MAX_OFFSET_MS),
    maxPayloadBytes: positiveInt('maxPayloadBytes', options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES),
    mailboxCapacity: positiveInt('mailboxCapacity', options.mailboxCapacity ?? DEFAULT_MAILBOX_CAPACITY),
    idleMs: positiveInt('idleMs', options.idleMs ?? DEFAULT_IDLE_MS),
    askTimeoutMs: positiveInt('askTimeoutMs', options.askTimeoutMs ?? DEFAULT_ASK_TIMEOUT_MS),
    maxAttempts: positiveInt('maxAttempts', options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    maxPendingSends: positiveInt('maxPendingSends', options.maxPendingSends ?? DEFAULT_MAX_PENDING_SENDS),
    inspect: options.inspect,
    onError: options.onError ?? ((error, where) => console.error(`causeway: ${where}: ${error instanceof Error ? error.message : String(error)}`)),
  };
}

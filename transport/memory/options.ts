/**
 * Options of the memory transport, their defaults, and the one step that validates them.
 * Every fault defaults to off, so plain single-node use behaves like a healthy log.
 */
import { InvalidOptionError } from '../../runtime/errors.ts';
import { DEFAULT_PARTITIONS } from '../../runtime/placement.ts';
import { DEFAULT_SEED } from './rng.ts';
import { DEFAULT_SIM_EPOCH_MS, type SchedulerMode } from './scheduler.ts';

/** Faults the simulator injects, each drawn from the seeded RNG. */
export interface FaultOptions {
  /** Probability that a delivery is followed by a copy within `maxDelayMs`. Default 0. */
  duplicateRate?: number;
  /** Probability that an ack is lost (the message comes back after `ackWaitMs`). Default 0. */
  dropAckRate?: number;
  /**
   * Probability that a partition's delivery queue stalls for up to `maxDelayMs` before its
   * next delivery (the whole queue, so first deliveries stay in log order). Default 0.
   */
  delayRate?: number;
  /** Upper bound of injected delays, ms. Default `DEFAULT_MAX_DELAY_MS` (100). */
  maxDelayMs?: number;
  /** Probability that an append is refused (`NotAcceptedError`) and not stored. Default 0. */
  publishFailureRate?: number;
  /**
   * Probability that an append is stored but its acknowledgement is lost: the caller gets
   * `NotAcceptedError` although the message is in the log (NATS can do this too, e.g. on a
   * timeout; a retry with the same envelope id is then reported as a duplicate). Default 0.
   */
  publishAckLossRate?: number;
}

export type Faults = Required<FaultOptions>;

export interface MemoryClusterOptions {
  /** Seed of every random choice. Default `DEFAULT_SEED` (1). */
  seed?: number;
  /** Number of partitions. Default `DEFAULT_PARTITIONS` (64). */
  partitions?: number;
  faults?: FaultOptions;
  /** `'sim'`: virtual time, driven by the test; `'auto'`: real time. Default `'auto'`. */
  mode?: SchedulerMode;
  /** A paused node loses its partitions after this long, ms. Default `DEFAULT_LEASE_MS` (3000). */
  leaseMs?: number;
  /** Unacked deliveries come back after this long, ms. Default `DEFAULT_ACK_WAIT_MS` (30 000). */
  ackWaitMs?: number;
  /** Deliveries in flight (unacked) per partition. Default `DEFAULT_MAX_ACK_PENDING` (256). */
  maxAckPending?: number;
  /** How long an envelope id is remembered for dedup, ms. Default `Infinity` (forever). */
  dedupWindowMs?: number;
  /** Virtual start time in sim mode, ms since the epoch. Default `DEFAULT_SIM_EPOCH_MS`. */
  epochMs?: number;
  /** Where failures of handlers and tasks are reported. Default `console.error`. */
  onError?: (error: unknown, context: string) => void;
}

export const DEFAULT_LEASE_MS = 3000;
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_ACK_PENDING = 256;
export const DEFAULT_MAX_DELAY_MS = 100;

export interface ResolvedClusterOptions {
  readonly seed: number;
  readonly partitions: number;
  readonly faults: Faults;
  readonly mode: SchedulerMode;
  readonly leaseMs: number;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly dedupWindowMs: number;
  readonly epochMs: number;
  readonly onError: (error: unknown, context: string) => void;
}

/** Fresh fault settings: everything off. */
export function defaultFaults(): Faults {
  return {
    duplicateRate: 0,
    dropAckRate: 0,
    delayRate: 0,
    maxDelayMs: DEFAULT_MAX_DELAY_MS,
    publishFailureRate: 0,
    publishAckLossRate: 0,
  };
}

/** Fresh defaults of every cluster option. */
export function defaultClusterOptions(): ResolvedClusterOptions {
  return {
    seed: DEFAULT_SEED,
    partitions: DEFAULT_PARTITIONS,
    faults: defaultFaults(),
    mode: 'auto',
    leaseMs: DEFAULT_LEASE_MS,
    ackWaitMs: DEFAULT_ACK_WAIT_MS,
    maxAckPending: DEFAULT_MAX_ACK_PENDING,
    dedupWindowMs: Infinity,
    epochMs: DEFAULT_SIM_EPOCH_MS,
    onError: (error, context) => console.error(`memory transport: ${context}`, error),
  };
}

/** Validates `faults` on top of `base` (default: all off). */
export function parseFaults(faults: FaultOptions = {}, base: Faults = defaultFaults()): Faults {
  const out = { ...base };
  for (const key of Object.keys(faults) as (keyof FaultOptions)[]) {
    const value = faults[key];
    if (value === undefined) continue;
    if (key === 'maxDelayMs') out[key] = count(`faults.${key}`, value, 0);
    else if (!(value >= 0 && value <= 1)) throw new InvalidOptionError(`faults.${key}`, `must be within [0, 1], got ${value}`);
    else out[key] = value;
  }
  return out;
}

export function parseClusterOptions(options: MemoryClusterOptions = {}): ResolvedClusterOptions {
  const d = defaultClusterOptions();
  const mode = options.mode ?? d.mode;
  if (mode !== 'sim' && mode !== 'auto') throw new InvalidOptionError('mode', `must be 'sim' or 'auto', got '${mode}'`);
  if (options.seed !== undefined && !Number.isInteger(options.seed)) {
    throw new InvalidOptionError('seed', `must be an integer, got ${options.seed}`);
  }
  const dedup = options.dedupWindowMs ?? d.dedupWindowMs;
  if (!(dedup >= 0)) throw new InvalidOptionError('dedupWindowMs', `must be >= 0, got ${dedup}`);
  return {
    seed: options.seed ?? d.seed,
    partitions: count('partitions', options.partitions ?? d.partitions, 1),
    faults: parseFaults(options.faults),
    mode,
    leaseMs: count('leaseMs', options.leaseMs ?? d.leaseMs, 1),
    ackWaitMs: count('ackWaitMs', options.ackWaitMs ?? d.ackWaitMs, 1),
    maxAckPending: count('maxAckPending', options.maxAckPending ?? d.maxAckPending, 1),
    dedupWindowMs: dedup,
    epochMs: count('epochMs', options.epochMs ?? d.epochMs, 0),
    onError: options.onError ?? d.onError,
  };
}

function count(option: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(option, `must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

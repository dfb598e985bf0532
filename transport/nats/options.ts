/**
 * Options of the NATS transport: `DEFAULT_*` constants, a function returning fresh defaults,
 * and one parse step that validates and explains (STYLE §10). Everything downstream takes
 * `ResolvedNatsOptions` and never re-checks.
 */
import { InvalidOptionError } from '../../runtime/errors.ts';
import { DEFAULT_PARTITIONS } from '../../runtime/placement.ts';
import type { NatsTransportEvent } from './events.ts';

export const DEFAULT_NAMESPACE = 'causeway';
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_ACK_PENDING = 1024;
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;
export const DEFAULT_HEARTBEAT_MS = 1_000;
export const DEFAULT_DEAD_AFTER_MS = 3_000;
export const DEFAULT_LEASE_MS = 3_000;
export const DEFAULT_LEASE_RENEW_MS = 1_000;

export interface NatsTransportOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. Required. */
  servers: string | string[];
  /** Cluster namespace: prefixes every subject, stream and bucket. Default `'causeway'`. */
  namespace?: string;
  /** Number of partitions; every node of a namespace must agree. Default 64. */
  partitions?: number;
  /** JetStream storage of the log, dead letters and buckets. Default `'file'`. */
  storage?: 'file' | 'memory';
  /** Stream and bucket replicas (clustered servers only). Default 1. */
  replicas?: number;
  /** How long the log remembers `Nats-Msg-Id`s for dedup, ms. Default 120 000. */
  duplicateWindowMs?: number;
  /** Unacked deliveries come back after this long, ms. Default 30 000. */
  ackWaitMs?: number;
  /** Deliveries of one partition in flight (unacked) at most. Default 1024. */
  maxAckPending?: number;
  /** An append not acknowledged within this bound rejects with `NotAcceptedError`, ms. Default 5 000. */
  publishTimeoutMs?: number;
  /** Membership heartbeat period, ms. Default 1 000. */
  heartbeatMs?: number;
  /** A member with no heartbeat seen for this long is dead (observer's clock), ms. Default 3 000. */
  deadAfterMs?: number;
  /** A lease not renewed for this long is expired, ms. Default 3 000. */
  leaseMs?: number;
  /** Lease renewal period, ms; must be below `leaseMs`. Default 1 000. */
  leaseRenewMs?: number;
  /** Status and error reports (disconnects, consumer gaps, lease changes). Default: errors to `console.error`. */
  onEvent?: (event: NatsTransportEvent) => void;
}

export type ResolvedNatsOptions = Required<NatsTransportOptions> & { servers: string[] };

/** Fresh defaults for everything but `servers`. */
export function defaultNatsOptions(): Omit<ResolvedNatsOptions, 'servers'> {
  return {
    namespace: DEFAULT_NAMESPACE,
    partitions: DEFAULT_PARTITIONS,
    storage: 'file',
    replicas: 1,
    duplicateWindowMs: DEFAULT_DUPLICATE_WINDOW_MS,
    ackWaitMs: DEFAULT_ACK_WAIT_MS,
    maxAckPending: DEFAULT_MAX_ACK_PENDING,
    publishTimeoutMs: DEFAULT_PUBLISH_TIMEOUT_MS,
    heartbeatMs: DEFAULT_HEARTBEAT_MS,
    deadAfterMs: DEFAULT_DEAD_AFTER_MS,
    leaseMs: DEFAULT_LEASE_MS,
    leaseRenewMs: DEFAULT_LEASE_RENEW_MS,
    onEvent: reportErrors,
  };
}

/** The default `onEvent`: quiet about status, loud about errors. */
export function reportErrors(event: NatsTransportEvent): void {
  if (event.type === 'error') console.error(`causeway/nats: ${event.where}:`, event.error);
}

// Dots separate subject tokens, so a namespace may be `a.b`; names derived from it replace them.
const NAMESPACE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Validates and fills in defaults; throws `InvalidOptionError` saying what is wrong. */
export function parseNatsOptions(options: NatsTransportOptions): ResolvedNatsOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...defaultNatsOptions(), ...defined } as ResolvedNatsOptions;
  const servers = typeof options.servers === 'string' ? [options.servers] : options.servers;
  if (!Array.isArray(servers) || servers.length === 0 || servers.some((s) => typeof s !== 'string' || s === '')) {
    throw new InvalidOptionError('servers', 'give at least one server url');
  }
  o.servers = [...servers];
  if (typeof o.namespace !== 'string' || !NAMESPACE.test(o.namespace)) {
    throw new InvalidOptionError('namespace', `'${o.namespace}' must be letters, digits, '_' or '-' (dot-separated)`);
  }
  positiveInt('partitions', o.partitions);
  positiveInt('replicas', o.replicas);
  positiveInt('maxAckPending', o.maxAckPending);
  for (const name of ['duplicateWindowMs', 'ackWaitMs', 'publishTimeoutMs', 'heartbeatMs', 'deadAfterMs', 'leaseMs', 'leaseRenewMs'] as const) {
    positiveInt(name, o[name]);
  }
  if (o.storage !== 'file' && o.storage !== 'memory') {
    throw new InvalidOptionError('storage', `'${String(o.storage)}' must be 'file' or 'memory'`);
  }
  if (o.leaseRenewMs >= o.leaseMs) {
    throw new InvalidOptionError('leaseRenewMs', `${o.leaseRenewMs} must be below leaseMs (${o.leaseMs})`);
  }
  if (o.heartbeatMs >= o.deadAfterMs) {
    throw new InvalidOptionError('heartbeatMs', `${o.heartbeatMs} must be below deadAfterMs (${o.deadAfterMs})`);
  }
  if (typeof o.onEvent !== 'function') throw new InvalidOptionError('onEvent', 'must be a function');
  return o;
}

function positiveInt(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidOptionError(name, `${String(value)} must be a positive integer`);
  }
}

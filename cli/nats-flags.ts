/**
 * NATS-related flags shared by the commands: server lists and the one `--lease-ms` knob that
 * scales the transport's failure-detection timings together.
 */
import type { natsTransport } from '../index.ts';
import { UsageError } from './args.ts';

type NatsTransportOptions = Parameters<typeof natsTransport>[0];

/** `--nats a,b` -> `['a', 'b']`. */
export function serversOf(value: string): string[] {
  const servers = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) throw new UsageError('--nats needs at least one server url');
  return servers;
}

/**
 * Transport timings from one lease time, in the proportions of the transport's defaults
 * (3000 / 1000 / 1000 / 3000): renew and heartbeat every third of the lease, a member is
 * dead after one lease time without heartbeat. Undefined: the transport's defaults.
 * Failover after a crash takes about one lease time plus a renewal round.
 */
export function leaseOptions(leaseMs: number | undefined): Partial<NatsTransportOptions> {
  if (leaseMs === undefined) return {};
  const third = Math.max(1, Math.floor(leaseMs / 3));
  return { leaseMs, leaseRenewMs: third, heartbeatMs: third, deadAfterMs: leaseMs };
}

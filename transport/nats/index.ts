/**
 * The NATS JetStream transport: the only place in Causeway that imports the NATS client.
 * See layout.ts for where everything lives on NATS.
 */
export { natsTransport, type NatsTransport } from './transport.ts';
export {
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_DEAD_AFTER_MS,
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_LEASE_MS,
  DEFAULT_LEASE_RENEW_MS,
  DEFAULT_MAX_ACK_PENDING,
  DEFAULT_NAMESPACE,
  DEFAULT_PUBLISH_TIMEOUT_MS,
  defaultNatsOptions,
  parseNatsOptions,
  type NatsTransportOptions,
  type ResolvedNatsOptions,
} from './options.ts';
export type { NatsTransportEvent } from './events.ts';
export type { NatsSession } from './session.ts';
export { layoutOf, type Layout } from './layout.ts';
export { findNatsServer, startNatsServer, type NatsServer, type NatsServerOptions } from './launcher.ts';

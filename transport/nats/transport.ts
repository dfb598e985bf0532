/**
 * `natsTransport(options)`: the runtime's `Transport` on NATS JetStream. Options are checked
 * when the transport is made (a wrong option fails at startup, not at the first connect).
 */
import type { NodeInfo, Transport } from '../../runtime/types.ts';
import { parseNatsOptions, type NatsTransportOptions, type ResolvedNatsOptions } from './options.ts';
import { openSession, type NatsSession } from './session.ts';

export interface NatsTransport extends Transport {
  readonly kind: 'nats';
  readonly options: ResolvedNatsOptions;
  connect(node: NodeInfo): Promise<NatsSession>;
}

export function natsTransport(options: NatsTransportOptions): NatsTransport {
  const resolved = parseNatsOptions(options);
  return {
    kind: 'nats',
    options: resolved,
    connect: (node) => openSession(resolved, node),
  };
}

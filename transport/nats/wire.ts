/**
 * Non-durable messaging (ask replies, bus broadcast, metrics) over core NATS, every subject
 * under `<ns>.wire.` so namespaces sharing a server never hear each other. At most once: a
 * message published while nobody listens, or while disconnected, may be lost.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Wire } from '../../runtime/types.ts';
import type { EventSink } from './events.ts';

export class NatsWire implements Wire {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly events: EventSink,
  ) {}

  publish(subject: string, data: Uint8Array): void {
    try {
      this.nc.publish(this.prefix + subject, data);
    } catch (error) {
      // At-most-once by contract: report (closed connection, oversize) rather than throw.
      this.events({ type: 'error', where: `wire publish to '${subject}'`, error });
    }
  }

  subscribe(subject: string, handler: (data: Uint8Array, subject: string) => void): () => void {
    const strip = this.prefix.length;
    const sub = this.nc.subscribe(this.prefix + subject, {
      callback: (err, msg) => {
        if (err) {
          this.events({ type: 'error', where: `wire subscription '${subject}'`, error: err });
          return;
        }
        try {
          handler(msg.data, msg.subject.slice(strip));
        } catch (error) {
          this.events({ type: 'error', where: `wire handler of '${subject}'`, error });
        }
      },
    });
    return () => {
      if (!sub.isClosed()) sub.unsubscribe();
    };
  }
}

/**
 * One node's session on NATS: a connection, the namespace's streams and buckets made sure
 * of, and the parts of a `TransportSession` built on them.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NodeInfo, TransportSession } from '../../runtime/types.ts';
import { openConnection, type Connection } from './connection.ts';
import { NatsDeadLetters } from './dead-letters.ts';
import { safeSink } from './events.ts';
import { layoutOf } from './layout.ts';
import { NatsLog } from './log.ts';
import type { ResolvedNatsOptions } from './options.ts';
import { NatsOwnership } from './ownership.ts';
import { Publisher } from './publisher.ts';
import { ensureBuckets, ensureStreams } from './setup.ts';
import { NatsStateStore } from './state-store.ts';
import { NatsWire } from './wire.ts';

export interface NatsSession extends TransportSession {
  readonly log: NatsLog;
  readonly ownership: NatsOwnership;
  readonly connection: Connection;
}

export async function openSession(o: ResolvedNatsOptions, node: NodeInfo): Promise<NatsSession> {
  const events = safeSink(o.onEvent);
  const layout = layoutOf(o.namespace);
  const connection = await openConnection({ servers: o.servers, name: `causeway:${node.nodeId}`, events });
  try {
    const jsm = await jetstreamManager(connection.nc, { timeout: o.publishTimeoutMs });
    const js = jsm.jetstream();
    await ensureStreams(jsm, layout, o);
    const buckets = await ensureBuckets(js, layout, o);
    const publisher = new Publisher(connection, node.clock, node.timers, o.publishTimeoutMs);
    const log = new NatsLog(
      publisher,
      { js, jsm, layout, ackWaitMs: o.ackWaitMs, maxAckPending: o.maxAckPending, events, timers: node.timers },
      o.partitions,
    );
    const ownership = new NatsOwnership({
      members: buckets.members,
      leases: buckets.leases,
      layout,
      nodeId: node.nodeId,
      clock: node.clock,
      timers: node.timers,
      options: o,
      events,
      isUp: () => connection.up,
    });
    let closing: Promise<void> | undefined;
    return {
      partitions: o.partitions,
      log,
      state: new NatsStateStore(buckets.state, buckets.leases, layout, () => connection.up),
      ownership,
      deadLetters: new NatsDeadLetters(js, jsm, layout),
      wire: new NatsWire(connection.nc, layout.wirePrefix, events),
      connection,
      close: () =>
        (closing ??= (async () => {
          // Whatever still holds leases gives them up (stop is a no-op if already stopped).
          await ownership.stop().catch((error: unknown) => events({ type: 'error', where: 'stopping ownership', error }));
          await log.close();
          publisher.close();
          await connection.close();
        })()),
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

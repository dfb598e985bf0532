/**
 * The raw nats.js baseline: a file-backed stream with 64 partition subjects, messages
 * published with `js.publish` (a `Nats-Msg-Id` each, at most `window` in flight) on one
 * connection, and consumed by one durable pull consumer with the callback form of
 * `consume()`, acking each message, on another. Client options are the defaults unless
 * `noAsyncTraces` is asked for.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { onCleanup } from '../harness.ts';
import { PARTITIONS } from './cluster.ts';

export interface RawClient {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly sub: NatsConnection;
  readonly pub: NatsConnection;
}

export async function rawClient(url: string, noAsyncTraces = false): Promise<RawClient> {
  const pub = await connect({ servers: url, noAsyncTraces });
  const sub = await connect({ servers: url, noAsyncTraces });
  onCleanup(async () => {
    await pub.close();
    await sub.close();
  });
  return { js: jetstream(pub), jsm: await jetstreamManager(sub), sub, pub };
}

let streams = 0;

/** A fresh stream and its durable consumer; `onMessage` runs per message (it must not ack). */
export async function rawStream(c: RawClient, onMessage: (m: JsMsg) => void) {
  const name = `raw${++streams}`;
  const subjectPrefix = `${name}.p.`;
  await c.jsm.streams.add({ name, subjects: [`${subjectPrefix}>`] });
  await c.jsm.consumers.add(name, { durable_name: 'c', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
  const consumer = await jetstream(c.sub).consumers.get(name, 'c');
  const messages = await consumer.consume({
    callback: (m) => {
      onMessage(m);
      m.ack();
    },
  });
  return {
    subject: (i: number) => `${subjectPrefix}${i % PARTITIONS}.x`,
    async close() {
      await messages.close();
      await c.jsm.streams.delete(name);
    },
  };
}

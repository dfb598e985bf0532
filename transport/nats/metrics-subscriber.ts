/**
 * Hears the metrics reports of every node of a namespace over core NATS, without joining
 * the cluster. A reader that connected through `natsTransport().connect()` would make sure of
 * streams and buckets (needing JetStream and creating them if absent), and one that started
 * a node would be handed partitions: `causeway stats` and `causeway dashboard` only listen.
 *
 * The stream yields raw reports (decode them with `decodeNodeMetrics`); one consumer,
 * `break` or `close()` or the signal ends it and closes the connection.
 */
import { connect } from '@nats-io/transport-node';
import { METRICS_SUBJECT_PATTERN } from '../../runtime/metrics-report.ts';
import { layoutOf } from './layout.ts';
import { parseNatsOptions } from './options.ts';

export interface MetricsSubscriberOptions {
  /** NATS server URL(s). Required. */
  readonly servers: string | readonly string[];
  /** Cluster namespace to listen to. Default `'causeway'`. */
  readonly namespace?: string;
  /** Connection name the server shows (`nats server report connections`). Default `'causeway:metrics'`. */
  readonly name?: string;
  /** Ends the stream when aborted. */
  readonly signal?: AbortSignal;
}

export interface MetricsStream extends AsyncIterable<Uint8Array>, AsyncDisposable {
  /** The NATS subject listened to, e.g. `causeway.wire._metrics.*`. */
  readonly subject: string;
  /** Ends the stream and closes the connection. Idempotent. */
  close(): Promise<void>;
}

/** Connects and subscribes; rejects when no server can be reached. */
export async function subscribeMetrics(options: MetricsSubscriberOptions): Promise<MetricsStream> {
  // The transport's own parse step validates servers and namespace the same way for readers.
  const o = parseNatsOptions({ servers: [...toArray(options.servers)], namespace: options.namespace });
  const nc = await connect({
    servers: o.servers,
    name: options.name ?? 'causeway:metrics',
    noAsyncTraces: true,
    // A dashboard outlives server restarts: keep trying, reports resume when the server does.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  const subject = layoutOf(o.namespace).wirePrefix + METRICS_SUBJECT_PATTERN;
  const sub = nc.subscribe(subject);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= nc.close().catch(() => undefined));
  const onAbort = (): void => void close();
  if (options.signal?.aborted) void close();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  async function* messages(): AsyncGenerator<Uint8Array> {
    try {
      // Ends by itself once the connection closes.
      for await (const msg of sub) yield msg.data;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      await close();
    }
  }
  const iterator = messages();
  return {
    subject,
    [Symbol.asyncIterator]: () => iterator,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function toArray(servers: string | readonly string[]): readonly string[] {
  return typeof servers === 'string' ? [servers] : servers;
}

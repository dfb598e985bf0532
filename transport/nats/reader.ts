/**
 * `Log.read` on JetStream: one partition's messages, read through an ordered consumer (an
 * ephemeral, unacknowledged consumer the client recreates on a gap), so the partition's
 * durable consumer, and with it the owner's progress, is never touched.
 *
 * Where the read ends is fixed when it starts: the ordered consumer is created before the
 * first fetch, and its `num_pending` then counts exactly the partition's messages from the
 * start sequence on. Reading that many (or up to `toSeq`) ends the iteration; appends made
 * meanwhile come after them in the stream and are not read.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { LogEntry, LogReadOptions } from '../../runtime/types.ts';
import type { Layout } from './layout.ts';

export interface ReaderDeps {
  readonly js: JetStreamClient;
  readonly layout: Layout;
}

/** Messages per pull request. */
const READ_BATCH = 512;
/** How long one pull waits at the server, ms (messages known to exist come at once). */
const READ_EXPIRES_MS = 5_000;
/** Pulls in a row that may come back empty before the read gives up. */
const EMPTY_PULLS = 3;

export async function* readPartition(deps: ReaderDeps, partition: number, options: LogReadOptions = {}): AsyncGenerator<LogEntry> {
  const { js, layout } = deps;
  const from = Math.max(1, options.fromSeq ?? 1);
  const to = options.toSeq ?? Infinity;
  if (to < from) return;
  const consumer = await js.consumers.get(layout.stream, {
    // A single filter as a string: nats-server 2.9 knows `filter_subject` only.
    filter_subjects: layout.partitionFilter(partition),
    opt_start_seq: from,
  });
  try {
    let remaining = (await consumer.info(true)).num_pending;
    let empty = 0;
    while (remaining > 0) {
      // A whole batch is taken before anything is yielded: the caller may take its time (or
      // stop) without holding a pull open.
      const batch: LogEntry[] = [];
      const messages = await consumer.fetch({ max_messages: Math.min(READ_BATCH, remaining), expires: READ_EXPIRES_MS });
      for await (const m of messages) {
        batch.push({ seq: m.seq, data: m.data });
        remaining--;
      }
      if (batch.length === 0) {
        if (++empty >= EMPTY_PULLS) throw new Error(`reading partition ${partition}: no message came for ${EMPTY_PULLS} pulls with ${remaining} still expected`);
        continue;
      }
      empty = 0;
      for (const entry of batch) {
        if (entry.seq > to) return;
        yield entry;
      }
      if (batch[batch.length - 1]!.seq >= to) return;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}

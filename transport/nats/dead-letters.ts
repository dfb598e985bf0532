/**
 * Dead letters in stream `<ns>-dlq`, subject `<ns>.dlq`: one JSON message per letter, the raw
 * bytes as base64 so that an undecodable event survives as it was. Putting the same log
 * message twice (a replay after a crash dead-letters it again) is deduplicated by the id
 * `dl-<partition>-<seq>`.
 */
import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { DecodeError } from '../../runtime/errors.ts';
import type { DeadLetter, DeadLetterReason, DeadLetterSink, Envelope } from '../../runtime/types.ts';
import type { Layout } from './layout.ts';

interface DeadLetterJson {
  reason: DeadLetterReason;
  error: string;
  partition: number;
  seq: number;
  node: string;
  at: number;
  envelope?: Envelope;
  data: string;
}

const FETCH_BATCH = 1_000;
const FETCH_EXPIRES_MS = 2_000;

export class NatsDeadLetters implements DeadLetterSink {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly layout: Layout,
  ) {}

  async put(letter: DeadLetter): Promise<void> {
    const json: DeadLetterJson = {
      reason: letter.reason,
      error: letter.error,
      partition: letter.partition,
      seq: letter.seq,
      node: letter.node,
      at: letter.at,
      envelope: letter.envelope,
      data: Buffer.from(letter.data).toString('base64'),
    };
    const msgID = letter.seq > 0 ? `dl-${letter.partition}-${letter.seq}` : undefined;
    await this.js.publish(this.layout.dlqSubject, JSON.stringify(json), msgID ? { msgID } : undefined);
  }

  /** Every dead letter in the stream, oldest first. */
  async list(): Promise<DeadLetter[]> {
    const { state } = await this.jsm.streams.info(this.layout.dlqStream);
    if (state.messages === 0) return [];
    // An ordered consumer: ephemeral, in stream order, no acks to manage.
    const consumer = await this.js.consumers.get(this.layout.dlqStream, { deliver_policy: DeliverPolicy.All });
    const letters: DeadLetter[] = [];
    try {
      let pending = state.messages;
      while (pending > 0) {
        const batch = await consumer.fetch({ max_messages: Math.min(FETCH_BATCH, pending), expires: FETCH_EXPIRES_MS });
        let got = 0;
        for await (const m of batch) {
          letters.push(decodeLetter(m));
          got++;
          pending = m.info.pending;
          if (pending === 0) break;
        }
        if (got === 0) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    return letters;
  }
}

function decodeLetter(m: JsMsg): DeadLetter {
  let json: DeadLetterJson;
  try {
    json = m.json<DeadLetterJson>();
  } catch (cause) {
    throw new DecodeError(`dead letter ${m.seq} is not json`, { cause });
  }
  return {
    reason: json.reason,
    error: json.error,
    partition: json.partition,
    seq: json.seq,
    node: json.node,
    at: json.at,
    ...(json.envelope ? { envelope: json.envelope } : {}),
    data: new Uint8Array(Buffer.from(json.data, 'base64')),
  };
}

/**
 * One partition's subscription: a durable pull consumer `<ns>-p<N>` consumed with the
 * callback form of `consume()` (no per-message promise, ~2.5x the iterator's rate).
 *
 * The `Log` contract: first deliveries in log order, redeliveries only of messages already
 * delivered. JetStream alone does not give that to a new owner (the previous owner's unacked
 * messages would come back only after `ack_wait`, behind newer ones), so every subscription
 * (re)creates the consumer starting right after `afterSeq`. A delivery lost in transit (e.g.
 * across a reconnect) shows as a jump in the consumer's delivery sequence; then the consumer
 * is recreated from the oldest unacked sequence this subscription handed out, so nothing the
 * runtime has not finished is skipped, and what comes again comes as a redelivery.
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  ReplayPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Delivery, PartitionSubscription, Timers } from '../../runtime/types.ts';
import type { EventSink } from './events.ts';
import type { Layout } from './layout.ts';
import { isApiError } from './setup.ts';
import { sleep } from './ticker.ts';

export interface ConsumerDeps {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly layout: Layout;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly events: EventSink;
  readonly timers: Timers;
}

/** How long a pull request waits at the server; idle heartbeats come at half of it. */
const PULL_EXPIRES_MS = 10_000;
const RETRY_MS = 1_000;

export async function subscribePartition(
  deps: ConsumerDeps,
  partition: number,
  afterSeq: number,
  onDelivery: (d: Delivery) => void,
): Promise<PartitionSubscription> {
  const consumer = new PartitionConsumer(deps, partition, afterSeq, onDelivery);
  await consumer.start(afterSeq + 1);
  return consumer;
}

class PartitionConsumer implements PartitionSubscription {
  /** Bumped on every (re)creation of the consumer: deliveries of an older one are ignored. */
  #generation = 0;
  #messages: ConsumerMessages | undefined;
  #stopped = false;
  #recovering = false;
  /** Consumer delivery sequence of the last delivery of this generation. */
  #lastDelivery = 0;
  /** Highest stream sequence delivered so far: anything at or below comes again. */
  #highest: number;
  /** First deliveries not acked yet, in increasing order (a Set keeps insertion order). */
  readonly #outstanding = new Set<number>();

  constructor(
    private readonly deps: ConsumerDeps,
    private readonly partition: number,
    afterSeq: number,
    private readonly onDelivery: (d: Delivery) => void,
  ) {
    this.#highest = afterSeq;
  }

  async start(fromSeq: number): Promise<void> {
    const { js, jsm, layout, ackWaitMs, maxAckPending } = this.deps;
    const name = layout.consumerName(this.partition);
    await jsm.consumers.delete(layout.stream, name).catch((error: unknown) => {
      if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
    });
    await jsm.consumers.add(layout.stream, {
      durable_name: name,
      filter_subject: layout.partitionFilter(this.partition),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, fromSeq),
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: maxAckPending,
      max_deliver: -1,
      replay_policy: ReplayPolicy.Instant,
    });
    if (this.#stopped) return;
    const generation = ++this.#generation;
    this.#lastDelivery = 0;
    const consumer = await js.consumers.get(layout.stream, name);
    const messages = await consumer.consume({
      max_messages: Math.min(maxAckPending, 256),
      expires: PULL_EXPIRES_MS,
      // A newer owner deletes the consumer when it subscribes: this one must then end rather
      // than keep pulling from the recreated consumer and split its messages.
      abort_on_missing_resource: true,
      callback: (m) => this.#onMessage(generation, m),
    });
    this.#messages = messages;
    void this.#watch(generation, messages);
  }

  async stop(): Promise<void> {
    // The generation stays: acks of deliveries still being finished (a drain) go through.
    this.#stopped = true;
    const messages = this.#messages;
    this.#messages = undefined;
    // The callback runs synchronously, so once close() returns no handler call is running.
    if (messages) await messages.close().catch(() => undefined);
  }

  #onMessage(generation: number, m: JsMsg): void {
    if (generation !== this.#generation || this.#stopped) return;
    const dseq = m.info.deliverySequence;
    if (dseq !== this.#lastDelivery + 1) {
      this.#recover(this.#lastDelivery + 1, dseq);
      return;
    }
    this.#lastDelivery = dseq;
    const seq = m.seq;
    const first = seq > this.#highest;
    if (first) {
      this.#highest = seq;
      this.#outstanding.add(seq);
    }
    let acked = false;
    const delivery: Delivery = {
      partition: this.partition,
      seq,
      data: m.data,
      attempt: first ? 1 : Math.max(2, m.info.deliveryCount),
      storedAt: m.info.timestampNanos / 1000,
      ack: () => {
        if (acked) return;
        acked = true;
        this.#outstanding.delete(seq);
        // A consumer we recreated would take an older one's ack for one of its own deliveries.
        if (generation === this.#generation) m.ack();
      },
    };
    try {
      this.onDelivery(delivery);
    } catch (error) {
      this.deps.events({ type: 'error', where: `delivery handler of partition ${this.partition}`, error });
    }
  }

  async #watch(generation: number, messages: ConsumerMessages): Promise<void> {
    const ended = messages.closed().then((error) => {
      if (generation === this.#generation && !this.#stopped) {
        this.deps.events({ type: 'consumer-ended', partition: this.partition, error: error ?? undefined });
      }
    });
    for await (const s of messages.status()) {
      if (generation !== this.#generation) break;
      // Idle heartbeats tell the last delivery the server made: a higher one than we saw
      // means the tail of what was sent never arrived.
      if (s.type === 'heartbeat' && s.lastConsumerSequence > this.#lastDelivery) {
        this.#recover(this.#lastDelivery + 1, s.lastConsumerSequence);
        break;
      }
    }
    await ended;
  }

  #recover(expected: number, got: number): void {
    if (this.#recovering || this.#stopped) return;
    this.#recovering = true;
    this.#generation++;
    const restartSeq = this.#outstanding.values().next().value ?? this.#highest + 1;
    this.deps.events({ type: 'consumer-gap', partition: this.partition, expected, got, restartSeq });
    const old = this.#messages;
    this.#messages = undefined;
    void (async () => {
      await old?.close().catch(() => undefined);
      while (!this.#stopped) {
        try {
          await this.start(restartSeq);
          break;
        } catch (error) {
          this.deps.events({ type: 'error', where: `recreating consumer of partition ${this.partition}`, error });
          await sleep(this.deps.timers, RETRY_MS);
        }
      }
      this.#recovering = false;
    })();
  }
}

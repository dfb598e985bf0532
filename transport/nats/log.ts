/**
 * The runtime's `Log` on JetStream: appends go through the pipelined `Publisher` to
 * `<ns>.p.<partition>.<actorType>`, subscriptions are per-partition durable consumers, the
 * ack floor is the consumer's (0 before any consumer exists), and reads of the journal go
 * through ordered consumers of their own (`reader.ts`).
 */
import { JetStreamApiCodes } from '@nats-io/jetstream';
import { NotAcceptedError } from '../../runtime/errors.ts';
import type { Delivery, Envelope, Log, LogEntry, LogReadOptions, PartitionSubscription, PublishAck } from '../../runtime/types.ts';
import { subscribePartition, type ConsumerDeps } from './consumer.ts';
import type { Publisher } from './publisher.ts';
import { readPartition } from './reader.ts';
import { isApiError } from './setup.ts';

export class NatsLog implements Log {
  readonly #active = new Set<PartitionSubscription>();

  constructor(
    private readonly publisher: Publisher,
    private readonly deps: ConsumerDeps,
    private readonly partitions: number,
  ) {}

  append(partition: number, envelope: Envelope, data: Uint8Array): Promise<PublishAck> {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.partitions) {
      return Promise.reject(new NotAcceptedError(`no partition ${partition} (of ${this.partitions})`));
    }
    const subject = this.deps.layout.logSubject(partition, envelope.to.type);
    return this.publisher.publish(subject, partition, envelope.id, data);
  }

  async subscribe(partition: number, afterSeq: number, onDelivery: (d: Delivery) => void): Promise<PartitionSubscription> {
    const sub = await subscribePartition(this.deps, partition, afterSeq, onDelivery);
    this.#active.add(sub);
    return {
      stop: async () => {
        this.#active.delete(sub);
        await sub.stop();
      },
    };
  }

  async *read(partition: number, options?: LogReadOptions): AsyncGenerator<LogEntry> {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.partitions) {
      throw new RangeError(`unknown partition: ${partition} (of ${this.partitions})`);
    }
    yield* readPartition(this.deps, partition, options);
  }

  /** Stops the subscriptions the runtime left running (the session is closing). */
  async close(): Promise<void> {
    const subs = [...this.#active];
    this.#active.clear();
    await Promise.allSettled(subs.map((s) => s.stop()));
  }

  async ackFloor(partition: number): Promise<number> {
    const { jsm, layout } = this.deps;
    try {
      const info = await jsm.consumers.info(layout.stream, layout.consumerName(partition));
      // A consumer created at start sequence S reports floor 0 until its first ack, yet the
      // subscription that created it began after S - 1: that is the floor.
      return Math.max(info.ack_floor.stream_seq, (info.config.opt_start_seq ?? 1) - 1);
    } catch (error) {
      if (isApiError(error, JetStreamApiCodes.ConsumerNotFound)) return 0;
      throw error;
    }
  }
}

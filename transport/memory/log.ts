/**
 * The partitioned log of the simulated cluster, modelled on one JetStream stream with a
 * subject per partition: one sequence counter for the whole stream, so a partition's
 * sequences increase but have gaps; appends deduplicated by envelope id (`Nats-Msg-Id`)
 * within a window; one durable consumer per partition (see `consumer.ts`).
 *
 * Appends are requests served as scheduled tasks, so appends of different nodes interleave.
 * Messages are kept for good (a stream with no limits): tests read them through `messages`.
 */
import { NotAcceptedError, NodeStoppedError } from '../../runtime/errors.ts';
import type { Envelope, Log, LogEntry, LogReadOptions, PartitionSubscription, PublishAck } from '../../runtime/types.ts';
import { DurableConsumer, type ConsumerContext } from './consumer.ts';
import type { MemoryNode } from './node.ts';
import type { LoggedMessage } from './types.ts';

export interface LogContext extends ConsumerContext {
  readonly partitions: number;
  /** How long an envelope id is remembered for dedup, ms (`Infinity`: forever). */
  readonly dedupWindowMs: number;
  /** Whether the node may consume the partition (only the lease holder does). */
  mayConsume(partition: number, nodeId: string): boolean;
}

export class MemoryLog {
  private readonly parts: LoggedMessage[][];
  private readonly consumers: DurableConsumer[];
  private readonly ids = new Map<string, { partition: number; seq: number; at: number }>();
  private lastSeq = 0;

  constructor(private readonly ctx: LogContext) {
    this.parts = Array.from({ length: ctx.partitions }, () => []);
    this.consumers = this.parts.map((messages, p) => new DurableConsumer(p, messages, ctx));
  }

  /** Every message of `partition`, in log order. */
  messages(partition: number): readonly LoggedMessage[] {
    return this.part(partition);
  }

  /** Every message of every partition, by sequence. */
  all(): LoggedMessage[] {
    return this.parts.flat().sort((a, b) => a.seq - b.seq);
  }

  ackFloor(partition: number): number {
    return this.consumer(partition).ackFloor;
  }

  /** How often the message was delivered so far. */
  deliveryCount(partition: number, seq: number): number {
    return this.consumer(partition).deliveryCount(seq);
  }

  /** Ends the node's subscriptions (it crashed or its lease expired). */
  detach(node: MemoryNode): void {
    for (const consumer of this.consumers) consumer.detach(node);
  }

  /** The `Log` a node's session exposes. */
  view(node: MemoryNode): Log {
    const gone = () => new NodeStoppedError(node.id);
    return {
      append: async (partition, envelope, data) => {
        this.part(partition);
        const id = envelope.id;
        const refused = () => new NotAcceptedError(`event '${id}' not accepted: node '${node.id}' is down`);
        return await node.rpc(`append p${partition} ${id}`, refused, () => this.append(partition, envelope, data));
      },
      subscribe: async (partition, afterSeq, onDelivery) => {
        const consumer = this.consumer(partition);
        const sub = await node.rpc(`subscribe p${partition}`, gone, () => {
          const leased = node.state === 'up' || node.state === 'paused';
          if (!leased || !this.ctx.mayConsume(partition, node.id)) {
            throw new NotAcceptedError(`node '${node.id}' does not hold partition ${partition}`);
          }
          return consumer.subscribe(node, afterSeq, onDelivery);
        });
        consumer.start(sub);
        const handle: PartitionSubscription = { stop: async () => consumer.stop(sub) };
        return handle;
      },
      ackFloor: async (partition) => {
        const consumer = this.consumer(partition);
        return await node.rpc(`ack-floor p${partition}`, gone, () => consumer.ackFloor);
      },
      read: (partition, options) => this.read(node, partition, options),
    };
  }

  /** `Log.read`: one request takes the range as the log holds it when served; no consumer moves. */
  private async *read(node: MemoryNode, partition: number, options: LogReadOptions = {}): AsyncGenerator<LogEntry> {
    const messages = this.part(partition);
    const from = options.fromSeq ?? 1;
    const to = options.toSeq ?? Infinity;
    const entries = await node.rpc(`read p${partition}`, () => new NodeStoppedError(node.id), () =>
      messages.filter((m) => m.seq >= from && m.seq <= to).map((m) => ({ seq: m.seq, data: m.data.slice() })),
    );
    yield* entries;
  }

  /** Server side of an append, faults included. */
  private append(partition: number, envelope: Envelope, data: Uint8Array): PublishAck {
    const faults = this.ctx.faults();
    const rng = this.ctx.rng;
    if (rng.chance(faults.publishFailureRate)) {
      throw new NotAcceptedError(`event '${envelope.id}' not accepted: injected publish failure`);
    }
    const ack = this.store(partition, envelope, data);
    if (rng.chance(faults.publishAckLossRate)) {
      throw new NotAcceptedError(`event '${envelope.id}': acknowledgement lost (injected), it may be in the log`);
    }
    return ack;
  }

  private store(partition: number, envelope: Envelope, data: Uint8Array): PublishAck {
    const now = this.ctx.scheduler.now();
    const known = this.ids.get(envelope.id);
    if (known !== undefined && now - known.at <= this.ctx.dedupWindowMs) {
      return { partition: known.partition, seq: known.seq, duplicate: true };
    }
    const seq = ++this.lastSeq;
    this.part(partition).push({
      partition,
      seq,
      id: envelope.id,
      envelope: { ...envelope, timings: { ...envelope.timings } },
      data: data.slice(),
      storedAt: this.ctx.scheduler.micros(),
    });
    this.ids.set(envelope.id, { partition, seq, at: now });
    this.consumer(partition).appended();
    return { partition, seq, duplicate: false };
  }

  private part(partition: number): LoggedMessage[] {
    const part = this.parts[partition];
    if (part === undefined) throw new RangeError(`unknown partition: ${partition} (of ${this.ctx.partitions})`);
    return part;
  }

  private consumer(partition: number): DurableConsumer {
    this.part(partition);
    return this.consumers[partition]!;
  }
}

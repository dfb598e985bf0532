/**
 * The durable consumer of one partition, modelled on a JetStream durable pull consumer with
 * explicit acks: it outlives subscriptions and remembers what was acked (the ack floor) and
 * how often each message was delivered.
 *
 * A subscription hands out first deliveries through one "pump" task at a time, so they are
 * in log order whatever the scheduler interleaves around them; an injected delay postpones
 * the pump (the partition's whole queue), never a single message. At most `maxAckPending`
 * messages are in flight; one not acked within `ackWaitMs` is delivered again, as are
 * injected duplicates. A new subscription starts over from `afterSeq`, skipping what is
 * acked: unacked messages of an earlier subscription come again, in order.
 *
 * Only the newest open subscription is served. One opened earlier (say by a node that has
 * not yet noticed it lost the partition) waits; if the newer one stops first, the older is
 * served again from the ack floor. So a late subscriber can delay the rightful one but never
 * strand it, much as pull subscribers sharing a JetStream consumer would behave.
 */
import type { Delivery } from '../../runtime/types.ts';
import type { MemoryNode } from './node.ts';
import type { Faults } from './options.ts';
import type { Rng } from './rng.ts';
import type { SimScheduler } from './scheduler.ts';
import type { LoggedMessage } from './types.ts';

export interface ConsumerContext {
  readonly scheduler: SimScheduler;
  readonly rng: Rng;
  faults(): Faults;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly report: (error: unknown, context: string) => void;
}

export class Subscription {
  /** Not stopped. */
  active = true;
  /** Set once the subscriber has its handle: nothing is delivered before. */
  started = false;
  pumpQueued = false;
  /** Delivered and not acked: the ack-wait timer of each. */
  readonly inflight = new Map<number, () => void>();

  constructor(
    readonly node: MemoryNode,
    readonly onDelivery: (d: Delivery) => void,
    /** Index (in the partition's messages) of the next first-delivery candidate. */
    public cursor: number,
  ) {}
}

export class DurableConsumer {
  private floor = 0;
  /** Messages before this index are all acked. */
  private floorIndex = 0;
  /** Acked messages above the floor. */
  private readonly acked = new Set<number>();
  private readonly deliveries = new Map<number, number>();
  /** Open subscriptions, oldest first; the last one is served. */
  private readonly open: Subscription[] = [];

  constructor(
    readonly partition: number,
    private readonly messages: readonly LoggedMessage[],
    private readonly ctx: ConsumerContext,
  ) {}

  /** Highest seq such that every message of the partition up to it is acked. */
  get ackFloor(): number {
    return this.floor;
  }

  /** How often `seq` was delivered so far (for tests). */
  deliveryCount(seq: number): number {
    return this.deliveries.get(seq) ?? 0;
  }

  /**
   * A new subscription (server side). Everything up to `afterSeq` counts as done (like a
   * consumer's start sequence); the subscription served so far waits behind it.
   */
  subscribe(node: MemoryNode, afterSeq: number, onDelivery: (d: Delivery) => void): Subscription {
    this.floor = Math.max(this.floor, afterSeq);
    this.advanceFloor();
    const previous = this.open.at(-1);
    if (previous !== undefined) this.forgetInflight(previous);
    let cursor = this.floorIndex;
    while (cursor < this.messages.length && this.messages[cursor]!.seq <= afterSeq) cursor++;
    const sub = new Subscription(node, onDelivery, cursor);
    this.open.push(sub);
    return sub;
  }

  /** The subscriber holds its handle: deliveries may begin. */
  start(sub: Subscription): void {
    sub.started = true;
    this.schedulePump(sub);
  }

  /** Ends a subscription; its unacked messages stay pending for the next one. */
  stop(sub: Subscription): void {
    sub.active = false;
    this.forgetInflight(sub);
    const i = this.open.indexOf(sub);
    if (i < 0) return;
    this.open.splice(i, 1);
    const next = this.open.at(-1);
    if (i === this.open.length && next !== undefined) {
      // Served again: from the first message not acked, like a new subscription.
      next.cursor = this.floorIndex;
      this.schedulePump(next);
    }
  }

  /** Ends the subscriptions of a node that crashed or lost its lease. */
  detach(node: MemoryNode): void {
    for (const sub of this.open.filter((s) => s.node === node)) this.stop(sub);
  }

  /** A message was appended to the partition. */
  appended(): void {
    const sub = this.open.at(-1);
    if (sub !== undefined) this.schedulePump(sub);
  }

  /** An ack reached the log (server side). Acks of done messages are ignored. */
  ack(seq: number): void {
    if (seq <= this.floor || this.acked.has(seq)) return;
    this.acked.add(seq);
    this.advanceFloor();
    const sub = this.open.at(-1);
    if (sub === undefined) return;
    sub.inflight.get(seq)?.();
    sub.inflight.delete(seq);
    this.schedulePump(sub);
  }

  private serving(sub: Subscription): boolean {
    return sub.active && this.open.at(-1) === sub;
  }

  /** Its deliveries in flight no longer time out for it (they stay pending in the log). */
  private forgetInflight(sub: Subscription): void {
    for (const cancel of sub.inflight.values()) cancel();
    sub.inflight.clear();
  }

  private isDone(seq: number): boolean {
    return seq <= this.floor || this.acked.has(seq);
  }

  private advanceFloor(): void {
    for (let m = this.messages[this.floorIndex]; m !== undefined; m = this.messages[this.floorIndex]) {
      if (m.seq > this.floor && !this.acked.has(m.seq)) break;
      this.floor = Math.max(this.floor, m.seq);
      this.acked.delete(m.seq);
      this.floorIndex++;
    }
  }

  private schedulePump(sub: Subscription): void {
    if (!this.serving(sub) || !sub.started || sub.pumpQueued) return;
    if (sub.cursor >= this.messages.length || sub.inflight.size >= this.ctx.maxAckPending) return;
    const faults = this.ctx.faults();
    const delay = this.ctx.rng.chance(faults.delayRate) ? 1 + this.ctx.rng.int(faults.maxDelayMs) : 0;
    sub.pumpQueued = true;
    sub.node.run(
      `deliver p${this.partition}`,
      () => {
        sub.pumpQueued = false;
        this.pump(sub);
      },
      delay,
    );
  }

  /** Hands out the next first delivery, then queues the one after. */
  private pump(sub: Subscription): void {
    if (!this.serving(sub) || sub.inflight.size >= this.ctx.maxAckPending) return;
    while (sub.cursor < this.messages.length && this.isDone(this.messages[sub.cursor]!.seq)) sub.cursor++;
    const message = this.messages[sub.cursor];
    if (message === undefined) return;
    sub.cursor++;
    this.deliver(sub, message);
    this.schedulePump(sub);
  }

  private deliver(sub: Subscription, m: LoggedMessage): void {
    const attempt = this.deliveryCount(m.seq) + 1;
    this.deliveries.set(m.seq, attempt);
    sub.inflight.get(m.seq)?.();
    const timer = this.ctx.scheduler.schedule(`ack-wait p${this.partition} s${m.seq}`, () => this.ackWaitOver(sub, m), {
      delayMs: this.ctx.ackWaitMs,
    });
    sub.inflight.set(m.seq, timer);
    const faults = this.ctx.faults();
    if (this.ctx.rng.chance(faults.duplicateRate)) {
      const delay = this.ctx.rng.int(faults.maxDelayMs + 1);
      sub.node.run(`duplicate p${this.partition} s${m.seq}`, () => this.redeliver(sub, m), delay);
    }
    const node = sub.node;
    const delivery: Delivery = {
      partition: this.partition,
      seq: m.seq,
      data: m.data.slice(),
      attempt,
      storedAt: m.storedAt,
      ack: () => {
        // A crashed node's acks never arrive; an injected fault loses one now and then.
        if (!node.connected || this.ctx.rng.chance(this.ctx.faults().dropAckRate)) return;
        this.ctx.scheduler.schedule(`ack p${this.partition} s${m.seq}`, () => this.ack(m.seq));
      },
    };
    try {
      sub.onDelivery(delivery);
    } catch (error) {
      this.ctx.report(error, `delivery handler of partition ${this.partition} on node '${node.id}'`);
    }
  }

  /** The ack wait ran out: deliver again, as a task of the subscriber's node. */
  private ackWaitOver(sub: Subscription, m: LoggedMessage): void {
    if (!this.serving(sub) || !sub.inflight.has(m.seq)) return;
    sub.node.run(`redeliver p${this.partition} s${m.seq}`, () => this.redeliver(sub, m));
  }

  private redeliver(sub: Subscription, m: LoggedMessage): void {
    if (this.serving(sub) && sub.inflight.has(m.seq) && !this.isDone(m.seq)) this.deliver(sub, m);
  }
}

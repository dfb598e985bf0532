/**
 * Hands partitions to this node and takes them away: live members (membership.ts) ->
 * `rendezvousOwner` says who should own each partition -> leases (leases.ts) make it so.
 *
 * One round every `leaseRenewMs` (and an extra one soon after a membership change or a
 * released lease): renew what we hold (losing it when renewal is refused or our lease aged
 * past `leaseMs`), drain and release what should move to someone else, take what should be
 * ours once its lease is free or expired. A new owner never takes a lease still held and
 * renewed: the old owner first drains (`handlers.release`), then deletes the lease.
 */
import type { KV } from '@nats-io/kv';
import { rendezvousOwner } from '../../runtime/placement.ts';
import type { Clock, Ownership, OwnershipHandlers, Timers } from '../../runtime/types.ts';
import type { EventSink } from './events.ts';
import { BucketWatch } from './kv-watch.ts';
import type { Lease } from './lease-codec.ts';
import type { Layout } from './layout.ts';
import { LeaseTable } from './leases.ts';
import { Membership } from './membership.ts';
import type { ResolvedNatsOptions } from './options.ts';
import { monoMs, repeat } from './ticker.ts';

export interface OwnershipDeps {
  readonly members: KV;
  readonly leases: KV;
  readonly layout: Layout;
  readonly nodeId: string;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly options: ResolvedNatsOptions;
  readonly events: EventSink;
  /**
   * Whether the connection is up. While it is down no lease write is attempted: the client
   * would buffer it and send it after reconnecting, long after we gave up on it.
   */
  readonly isUp: () => boolean;
}

interface Held {
  lease: Lease;
  /** monoMs at the start of the last successful take/renew. */
  renewedAt: number;
  /** Settles when the `acquire` handler is done: a release waits for it. */
  acquired: Promise<void>;
  releasing?: Promise<void>;
  /** Lease writes of this partition, one at a time. */
  busy: Promise<void>;
  /** A renewal is queued or in flight (a hung one must not pile up more behind it). */
  renewing?: boolean;
}

export class NatsOwnership implements Ownership {
  readonly #held = new Map<number, Held>();
  /** Takes in progress, by partition. */
  readonly #taking = new Map<number, Promise<void>>();
  readonly #table: LeaseTable;
  readonly #membership: Membership;
  readonly #leaseWatch: BucketWatch;
  #handlers: OwnershipHandlers | undefined;
  #stopped = false;
  #cancelRounds: () => void = () => undefined;

  constructor(private readonly d: OwnershipDeps) {
    const o = d.options;
    this.#table = new LeaseTable(d.leases, d.layout, d.nodeId, d.clock, o.leaseMs);
    this.#membership = new Membership({
      kv: d.members, nodeId: d.nodeId, clock: d.clock, timers: d.timers,
      heartbeatMs: o.heartbeatMs, deadAfterMs: o.deadAfterMs, events: d.events, isUp: d.isUp,
      onChange: () => this.#kick(),
    });
    // Only an accelerator: a deleted lease is picked up at once instead of at the next round.
    this.#leaseWatch = new BucketWatch({
      kv: d.leases, updatesOnly: true, events: d.events, where: 'leases watch',
      onEntry: (e) => e.operation !== 'PUT' && this.#kick(),
    });
  }

  async start(handlers: OwnershipHandlers): Promise<void> {
    this.#handlers = handlers;
    await this.#membership.start();
    await this.#leaseWatch.start();
    this.#cancelRounds = repeat(this.d.timers, this.d.options.leaseRenewMs, () => this.#round());
    this.#kick();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#leaseWatch.stop();
    // Leave first, so others see us gone and take each partition as soon as it is released.
    await this.#membership.stop();
    await Promise.allSettled(this.#taking.values()); // a take that won its lease acquires it first
    // Rounds go on meanwhile: leases must stay renewed for as long as the drains take.
    await Promise.allSettled([...this.#held].map(([p, held]) => this.#release(p, held)));
    this.#cancelRounds();
  }

  /** Held under `epoch`, and renewed within the lease time by the local clock. */
  holds(partition: number, epoch: number): boolean {
    const held = this.#held.get(partition);
    return held !== undefined && held.lease.epoch === epoch && monoMs(this.d.clock) - held.renewedAt <= this.d.options.leaseMs;
  }

  /** Partitions held right now with their epochs (for tests and inspection). */
  held(): ReadonlyMap<number, number> {
    return new Map([...this.#held].map(([p, h]) => [p, h.lease.epoch]));
  }

  #kick(): void {
    if (!this.#stopped) this.d.timers.setTimer(0, () => this.#balance());
  }

  #round(): void {
    const now = monoMs(this.d.clock);
    for (const [p, held] of this.#held) {
      // Judged outside the write queue, so a renewal hanging on a dead server cannot delay it.
      if (now - held.renewedAt > this.d.options.leaseMs) this.#lose(p, held, 'lease expired before it could be renewed');
      else if (this.d.isUp() && !held.renewing) {
        held.renewing = true;
        held.busy = held.busy.then(() => this.#renew(p, held)).finally(() => (held.renewing = false));
      }
    }
    this.#balance();
  }

  async #renew(p: number, held: Held): Promise<void> {
    if (this.#held.get(p) !== held) return;
    const startedAt = monoMs(this.d.clock);
    try {
      const lease = await this.#table.renew(p, held.lease);
      if (!lease) return this.#lose(p, held, 'lease was taken over');
      if (this.#held.get(p) !== held) {
        // Declared lost while this renewal was in flight: hand back what we just renewed.
        await this.#table.release(p, lease).catch(() => undefined);
        return;
      }
      held.lease = lease;
      held.renewedAt = startedAt;
    } catch (error) {
      this.d.events({ type: 'error', where: `renewing lease of partition ${p}`, error });
    }
  }

  /**
   * Starts what the current members call for. Takes and releases run on their own (a take
   * includes the `acquire` handler, a release the drain): a slow handler never holds up
   * renewals or the other partitions, and `#taking` / `releasing` keep each one single.
   */
  #balance(): void {
    if (this.#stopped || !this.#handlers || !this.d.isUp()) return;
    const live = this.#membership.live();
    for (let p = 0; p < this.d.options.partitions; p++) {
      const mine = rendezvousOwner(p, live) === this.d.nodeId;
      const held = this.#held.get(p);
      if (held) {
        if (!mine) void this.#release(p, held);
      } else if (mine && !this.#taking.has(p)) {
        this.#taking.set(p, this.#take(p).finally(() => this.#taking.delete(p)));
      }
    }
  }

  async #take(p: number): Promise<void> {
    const handlers = this.#handlers;
    if (!handlers) return;
    try {
      const look = await this.#table.look(p);
      // Our own id on a lease we do not hold: a previous run of this node; take it over.
      if (look.state === 'held' && !look.expired && look.lease.owner !== this.d.nodeId) return;
      const startedAt = monoMs(this.d.clock);
      const lease = await this.#table.take(p, look.state === 'free' ? look.revision : look.lease.revision);
      if (!lease) return;
      if (this.#stopped) {
        await this.#table.release(p, lease);
        return;
      }
      let acquired!: () => void;
      const held: Held = {
        lease,
        renewedAt: startedAt,
        busy: Promise.resolve(),
        acquired: new Promise<void>((resolve) => (acquired = resolve)),
      };
      this.#held.set(p, held);
      this.d.events({ type: 'lease-acquired', partition: p, epoch: lease.epoch });
      try {
        await handlers.acquire(p, lease.epoch);
        acquired();
      } catch (error) {
        acquired();
        this.d.events({ type: 'error', where: `acquire handler of partition ${p}`, error });
        if (this.#held.get(p) === held) {
          this.#lose(p, held, 'acquire handler failed');
          await this.#table.release(p, held.lease).catch(() => undefined);
        }
      }
    } catch (error) {
      this.d.events({ type: 'error', where: `taking lease of partition ${p}`, error });
    }
  }

  #release(p: number, held: Held): Promise<void> {
    held.releasing ??= (async () => {
      // Never drain a partition the runtime is still taking up.
      await held.acquired;
      try {
        if (this.#held.get(p) === held) await this.#handlers?.release(p);
      } catch (error) {
        this.d.events({ type: 'error', where: `release handler of partition ${p}`, error });
      }
      if (this.#held.get(p) !== held) return; // lost while draining
      this.#held.delete(p);
      held.busy = held.busy.then(async () => {
        if (!this.d.isUp()) return; // see below
        try {
          await this.#table.release(p, held.lease);
        } catch (error) {
          // It will expire on its own; the next owner just waits `leaseMs` longer.
          this.d.events({ type: 'error', where: `releasing lease of partition ${p}`, error });
        }
      });
      await held.busy;
      this.d.events({ type: 'lease-released', partition: p, epoch: held.lease.epoch });
    })();
    return held.releasing;
  }

  #lose(p: number, held: Held, reason: string): void {
    if (this.#held.get(p) !== held) return;
    this.#held.delete(p);
    this.d.events({ type: 'lease-lost', partition: p, epoch: held.lease.epoch, reason });
    try {
      this.#handlers?.lost(p);
    } catch (error) {
      this.d.events({ type: 'error', where: `lost handler of partition ${p}`, error });
    }
  }
}

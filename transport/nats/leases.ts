/**
 * Partition leases in KV `<ns>-leases`, key `p<N>`, all by compare-and-set on the revision:
 * take (`create`, or `update` of a free/expired revision), renew (`update` of the revision we
 * hold), release (`delete` of the revision we hold).
 *
 * Expiry as seen by others is judged by the observer's monotonic clock: a lease is expired
 * once its revision has not changed for `leaseMs` since the observer first saw it. The holder
 * counts its lease from the START of its last successful renewal, which happened before any
 * observer saw that revision, so the holder always gives up no later than others take over
 * (given clocks that run at the same rate, not necessarily showing the same time).
 */
import type { KV } from '@nats-io/kv';
import type { Clock } from '../../runtime/types.ts';
import { encodeLease, leaseOf, type Lease } from './lease-codec.ts';
import type { Layout } from './layout.ts';
import { isWrongRevision } from './setup.ts';
import { monoMs } from './ticker.ts';

/** What a look at a lease key found. */
export type LeaseLook =
  | { readonly state: 'free'; readonly revision: number }
  | { readonly state: 'held'; readonly lease: Lease; readonly expired: boolean };

export class LeaseTable {
  /** Partition -> revision last seen and since when (monoMs), for the expiry judgement. */
  readonly #observed = new Map<number, { revision: number; since: number }>();

  constructor(
    private readonly kv: KV,
    private readonly layout: Layout,
    private readonly nodeId: string,
    private readonly clock: Clock,
    private readonly leaseMs: number,
  ) {}

  /** Reads a lease; `revision` 0 means the key never existed. */
  async look(partition: number): Promise<LeaseLook> {
    const entry = await this.kv.get(this.layout.leaseKey(partition));
    const lease = leaseOf(entry);
    if (!entry || !lease) return { state: 'free', revision: entry?.revision ?? 0 };
    const now = monoMs(this.clock);
    const seen = this.#observed.get(partition);
    if (!seen || seen.revision !== entry.revision) {
      this.#observed.set(partition, { revision: entry.revision, since: now });
      return { state: 'held', lease, expired: false };
    }
    return { state: 'held', lease, expired: now - seen.since > this.leaseMs };
  }

  /**
   * Takes the lease if its revision is still `revision` (0: never existed). Resolves with the
   * new lease (epoch = the revision of this write), or undefined when someone was faster.
   */
  async take(partition: number, revision: number): Promise<Lease | undefined> {
    const key = this.layout.leaseKey(partition);
    const expiresAt = this.clock.now() + this.leaseMs;
    const value = encodeLease({ owner: this.nodeId, expiresAt });
    try {
      const rev = revision === 0 ? await this.kv.create(key, value) : await this.kv.update(key, value, revision);
      return { owner: this.nodeId, epoch: rev, revision: rev, expiresAt };
    } catch (error) {
      if (isWrongRevision(error)) return undefined;
      throw error;
    }
  }

  /** Renews a lease we hold; undefined when it is no longer ours (someone else wrote it). */
  async renew(partition: number, lease: Lease): Promise<Lease | undefined> {
    const expiresAt = this.clock.now() + this.leaseMs;
    const value = encodeLease({ owner: this.nodeId, epoch: lease.epoch, expiresAt });
    try {
      const rev = await this.kv.update(this.layout.leaseKey(partition), value, lease.revision);
      return { ...lease, revision: rev, expiresAt };
    } catch (error) {
      if (isWrongRevision(error)) return undefined;
      throw error;
    }
  }

  /** Deletes a lease we hold so the next owner can take it at once; false if it was not ours. */
  async release(partition: number, lease: Lease): Promise<boolean> {
    try {
      await this.kv.delete(this.layout.leaseKey(partition), { previousSeq: lease.revision });
      return true;
    } catch (error) {
      if (isWrongRevision(error)) return false;
      throw error;
    }
  }
}

/**
 * The value of a partition lease in KV `<ns>-leases` (key `p<N>`) and how its epoch is read.
 *
 * The epoch is the KV revision at which the lease was TAKEN (by `create`, or by `update` of
 * an expired lease). Renewals bump the revision but carry the epoch in the value, so the
 * epoch stays the same for as long as one owner holds the lease. A freshly taken lease has
 * no `epoch` in its value yet (its revision is not known before the write): its epoch is its
 * own revision.
 */
import type { KvEntry } from '@nats-io/kv';

export interface LeaseValue {
  /** Node id of the holder. */
  readonly owner: string;
  /** Revision at which the lease was taken; absent in the taking write itself. */
  readonly epoch?: number;
  /** Holder's wall-clock ms when it lapses unless renewed (informative: observers use their own clock). */
  readonly expiresAt: number;
}

export interface Lease {
  readonly owner: string;
  readonly epoch: number;
  readonly revision: number;
  readonly expiresAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeLease(value: LeaseValue): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** The lease an entry holds, or undefined when the key is deleted or unreadable. */
export function leaseOf(entry: KvEntry | null | undefined): Lease | undefined {
  if (!entry || entry.operation !== 'PUT' || entry.value.length === 0) return undefined;
  try {
    const v = JSON.parse(decoder.decode(entry.value)) as Partial<LeaseValue>;
    if (typeof v.owner !== 'string') return undefined;
    return {
      owner: v.owner,
      epoch: typeof v.epoch === 'number' && v.epoch > 0 ? v.epoch : entry.revision,
      revision: entry.revision,
      expiresAt: typeof v.expiresAt === 'number' ? v.expiresAt : 0,
    };
  } catch {
    return undefined;
  }
}

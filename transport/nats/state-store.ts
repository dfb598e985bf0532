/**
 * Actor records in KV `<ns>-state`, fenced by the partition's lease epoch.
 *
 * Two fences, because KV has no multi-key transaction:
 * 1. Before a batch, the partition's lease (`<ns>-leases`, key `p<N>`) is read; a batch whose
 *    epoch is not the lease's current epoch is refused with `StaleEpochError`.
 * 2. Every record carries the epoch that wrote it (a 9-byte header before the bytes), and
 *    each write is a compare-and-set on the record's revision: a record written under a
 *    higher epoch is never overwritten by a lower one.
 *
 * Residual window (documented, not closed): an owner that passes fence 1 and then stalls can
 * still write a record, under its old epoch, after a new owner took the lease but before the
 * new owner writes that same record. Fence 2 makes the new owner's next write win regardless,
 * but a new owner that loads the record in that window sees the stale owner's last state
 * (which is a state the stale owner really reached, with its `appliedSeq`). A batch is also
 * not atomic: when fence 2 refuses one record, records written before it in the batch stay.
 */
import type { KV } from '@nats-io/kv';
import { DecodeError, NotAcceptedError, StaleEpochError } from '../../runtime/errors.ts';
import type { RecordWrite, StateStore } from '../../runtime/types.ts';
import { leaseOf } from './lease-codec.ts';
import { kvKey, type Layout } from './layout.ts';
import { isWrongRevision } from './setup.ts';

const VERSION = 1;
const HEADER_BYTES = 9;
/** Revisions remembered from loads and writes, so a write usually needs no read first. */
const MAX_CACHED = 50_000;
const MAX_ATTEMPTS = 3;

interface Known {
  readonly revision: number;
  /** Epoch that wrote the record; 0 for a deleted record. */
  readonly epoch: number;
}

export class NatsStateStore implements StateStore {
  readonly #known = new Map<string, Known>();

  constructor(
    private readonly state: KV,
    private readonly leases: KV,
    private readonly layout: Layout,
    /** Whether the connection is up: a commit while it is down fails at once, unsent. */
    private readonly isUp: () => boolean,
  ) {}

  async load(key: string): Promise<Uint8Array | undefined> {
    const k = kvKey(key);
    const entry = await this.state.get(k);
    if (!entry) return undefined;
    if (entry.operation !== 'PUT') {
      this.#remember(k, { revision: entry.revision, epoch: 0 });
      return undefined;
    }
    const record = unframe(entry.value, key);
    this.#remember(k, { revision: entry.revision, epoch: record.epoch });
    return record.data;
  }

  async commit(partition: number, epoch: number, writes: readonly RecordWrite[]): Promise<void> {
    // Sent while disconnected, the writes would be buffered and land after reconnecting,
    // long after this commit was reported failed.
    if (!this.isUp()) throw new NotAcceptedError(`nats is disconnected: commit of partition ${partition} refused`);
    const lease = leaseOf(await this.leases.get(this.layout.leaseKey(partition)));
    const current = lease?.epoch ?? 0;
    if (current !== epoch) throw new StaleEpochError(partition, epoch, current);
    await Promise.all(writes.map((w) => this.#write(partition, epoch, w)));
  }

  async #write(partition: number, epoch: number, write: RecordWrite): Promise<void> {
    const k = kvKey(write.key);
    const value = frame(epoch, write.data);
    for (let attempt = 1; ; attempt++) {
      const known = this.#known.get(k) ?? (await this.#read(k));
      if (known && known.epoch > epoch) throw new StaleEpochError(partition, epoch, known.epoch);
      try {
        const revision = known ? await this.state.update(k, value, known.revision) : await this.state.create(k, value);
        this.#remember(k, { revision, epoch });
        return;
      } catch (error) {
        // Someone wrote the record since we last saw it: look at who, then try again.
        this.#known.delete(k);
        if (!isWrongRevision(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  async #read(k: string): Promise<Known | undefined> {
    const entry = await this.state.get(k);
    if (!entry) return undefined;
    if (entry.operation !== 'PUT') return { revision: entry.revision, epoch: 0 };
    return { revision: entry.revision, epoch: unframe(entry.value, k).epoch };
  }

  #remember(k: string, known: Known): void {
    this.#known.delete(k);
    this.#known.set(k, known);
    if (this.#known.size > MAX_CACHED) {
      const oldest = this.#known.keys().next().value;
      if (oldest !== undefined) this.#known.delete(oldest);
    }
  }
}

/** `[version][epoch: u64 big-endian][data]` */
export function frame(epoch: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + data.length);
  out[0] = VERSION;
  new DataView(out.buffer).setBigUint64(1, BigInt(epoch));
  out.set(data, HEADER_BYTES);
  return out;
}

export function unframe(bytes: Uint8Array, key: string): { epoch: number; data: Uint8Array } {
  if (bytes.length < HEADER_BYTES || bytes[0] !== VERSION) {
    throw new DecodeError(`record '${key}' has no epoch header (version ${bytes[0] ?? 'none'})`);
  }
  const epoch = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(1));
  return { epoch, data: bytes.subarray(HEADER_BYTES) };
}

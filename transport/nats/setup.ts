/**
 * Creates (or brings up to date) the streams and buckets of a namespace. Every node runs this
 * on connect; it is idempotent and tolerates other nodes doing it at the same moment.
 */
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { nanos } from '@nats-io/transport-node';
import type { Layout } from './layout.ts';
import type { ResolvedNatsOptions } from './options.ts';

export interface Buckets {
  readonly members: KV;
  readonly leases: KV;
  readonly state: KV;
}

/** The log stream and the dead-letter stream. */
export async function ensureStreams(jsm: JetStreamManager, layout: Layout, o: ResolvedNatsOptions): Promise<void> {
  const storage = o.storage === 'memory' ? StorageType.Memory : StorageType.File;
  const common = {
    storage,
    num_replicas: o.replicas,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
  };
  await ensureStream(jsm, {
    ...common,
    name: layout.stream,
    subjects: [`${layout.namespace}.p.*.*`],
    // The dedup window bounds how late a resend of a not-acknowledged append may come and
    // still be recognised as the same event.
    duplicate_window: nanos(o.duplicateWindowMs),
  });
  await ensureStream(jsm, {
    ...common,
    name: layout.dlqStream,
    subjects: [layout.dlqSubject],
    duplicate_window: nanos(o.duplicateWindowMs),
  });
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const info = await jsm.streams.info(config.name);
      const c = info.config;
      const same =
        c.duplicate_window === config.duplicate_window &&
        JSON.stringify(c.subjects) === JSON.stringify(config.subjects);
      // Storage and replicas cannot change in place; subjects and the window can.
      if (!same) await jsm.streams.update(config.name, { subjects: config.subjects, duplicate_window: config.duplicate_window });
      return;
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    }
    try {
      await jsm.streams.add(config);
      return;
    } catch (error) {
      // Another node created it between our info and add: look again, once.
      if (attempt > 0) throw error;
    }
  }
}

/** The three KV buckets: members, leases, state (history 1: only the current value matters). */
export async function ensureBuckets(js: JetStreamClient, layout: Layout, o: ResolvedNatsOptions): Promise<Buckets> {
  const kvm = new Kvm(js);
  const storage = o.storage === 'memory' ? StorageType.Memory : StorageType.File;
  // No direct gets: with replicas they may be served by a lagging follower, and a stale read
  // of a lease or a record would defeat the fencing. Reads go through the stream leader.
  const open = (name: string): Promise<KV> =>
    kvm.create(name, { history: 1, storage, replicas: o.replicas, allow_direct: false });
  const [members, leases, state] = await Promise.all([
    open(layout.membersBucket),
    open(layout.leasesBucket),
    open(layout.stateBucket),
  ]);
  return { members, leases, state };
}

export function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** A KV/JetStream write refused because the expected revision was not the last one. */
export function isWrongRevision(error: unknown): boolean {
  return (
    isApiError(error, JetStreamApiCodes.StreamWrongLastSequence) ||
    (error instanceof Error && /wrong last sequence/i.test(error.message))
  );
}

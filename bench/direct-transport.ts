/**
 * A diagnostic transport for the in-process bench only: one node, every partition owned,
 * appends stored in arrays and handed to the partition's subscriber in a microtask batch,
 * records kept in a map, no copies, no scheduler, no faults, no timers. It is what the
 * runtime costs on top of a log that costs (almost) nothing, so the in-process numbers can
 * be split into "runtime" and "memory transport (the simulator)". Not durable, not a
 * transport anyone should use.
 */
import type { Delivery, Envelope, PublishAck, Transport, TransportSession } from '../index.ts';

interface Stored {
  readonly seq: number;
  readonly data: Uint8Array;
}

export function directTransport(partitions = 64): Transport {
  return {
    kind: 'bench-direct',
    async connect(): Promise<TransportSession> {
      let lastSeq = 0;
      const ids = new Set<string>();
      const queues: Stored[][] = Array.from({ length: partitions }, () => []);
      const subscribers: Array<((d: Delivery) => void) | undefined> = new Array(partitions);
      const flushQueued = new Uint8Array(partitions);
      const records = new Map<string, Uint8Array>();
      const ack = () => undefined;
      const flush = (p: number) => {
        flushQueued[p] = 0;
        const q = queues[p]!;
        queues[p] = [];
        const deliver = subscribers[p];
        if (deliver === undefined) return;
        for (const m of q) deliver({ partition: p, seq: m.seq, data: m.data, attempt: 1, ack });
      };
      let handlers: { acquire(p: number, epoch: number): Promise<void>; release(p: number): Promise<void> } | undefined;
      return {
        partitions,
        log: {
          async append(partition: number, envelope: Envelope, data: Uint8Array): Promise<PublishAck> {
            if (ids.has(envelope.id)) return { partition, seq: 0, duplicate: true };
            ids.add(envelope.id);
            const seq = ++lastSeq;
            queues[partition]!.push({ seq, data });
            if (flushQueued[partition] === 0) {
              flushQueued[partition] = 1;
              queueMicrotask(() => flush(partition));
            }
            return { partition, seq, duplicate: false };
          },
          async subscribe(partition, _afterSeq, onDelivery) {
            subscribers[partition] = onDelivery;
            return {
              stop: async () => {
                subscribers[partition] = undefined;
              },
            };
          },
          ackFloor: async () => 0,
        },
        state: {
          load: async (key) => records.get(key),
          async commit(_partition, _epoch, writes) {
            for (const w of writes) records.set(w.key, w.data);
          },
        },
        ownership: {
          async start(h) {
            handlers = h;
            for (let p = 0; p < partitions; p++) await h.acquire(p, 1);
          },
          holds: () => true,
          async stop() {
            for (let p = 0; p < partitions; p++) await handlers?.release(p);
          },
        },
        deadLetters: { put: async () => undefined, list: async () => [] },
        wire: { publish: () => undefined, subscribe: () => () => undefined },
        close: async () => undefined,
      };
    },
  };
}

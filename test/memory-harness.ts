/**
 * Test helpers for the memory transport: envelopes, and a minimal "node" that plays the
 * runtime's part through the `Transport` interface only (acquire → subscribe from the ack
 * floor, release → stop, lost → drop), recording what happened to it.
 */
import { createMemoryCluster, type MemoryCluster, type MemoryClusterOptions } from '../transport/memory/index.ts';
import type { Delivery, Envelope, PartitionSubscription, TransportSession } from '../runtime/types.ts';

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);

export function envelope(id: string, to = { type: 'account', id: 'a' }): Envelope {
  return { id, type: 'PING', to, from: 'client/test/1', seq: 1, hlc: '0', payload: { type: 'PING' }, timings: { sent: 0 } };
}

export function simCluster(options: MemoryClusterOptions = {}): MemoryCluster {
  return createMemoryCluster({ mode: 'sim', onError: (error) => { throw error; }, ...options });
}

/** One line per ownership callback, in the order they ran: `acquire n1 p3 e2`. */
export type Journal = string[];

export interface TestNode {
  readonly id: string;
  readonly session: TransportSession;
  /** Partition → epoch, as this node believes. */
  readonly owned: Map<number, number>;
  readonly deliveries: Delivery[];
  readonly subs: Map<number, PartitionSubscription>;
  /** Ack each delivery on arrival (default true). */
  autoAck: boolean;
}

/** Connects a node and starts its ownership (driving the scheduler in sim mode). */
export async function joinNode(cluster: MemoryCluster, id: string, journal: Journal = []): Promise<TestNode> {
  const session = await cluster.transport().connect(cluster.nodeInfo(id));
  const node: TestNode = { id, session, owned: new Map(), deliveries: [], subs: new Map(), autoAck: true };
  const started = session.ownership.start({
    acquire: async (p, epoch) => {
      journal.push(`acquire ${id} p${p} e${epoch}`);
      node.owned.set(p, epoch);
      const after = await session.log.ackFloor(p);
      const sub = await session.log.subscribe(p, after, (d) => {
        node.deliveries.push(d);
        if (node.autoAck) d.ack();
      });
      node.subs.set(p, sub);
    },
    release: async (p) => {
      journal.push(`release ${id} p${p}`);
      await node.subs.get(p)?.stop();
      node.subs.delete(p);
      node.owned.delete(p);
    },
    lost: (p) => {
      journal.push(`lost ${id} p${p}`);
      void node.subs.get(p)?.stop();
      node.subs.delete(p);
      node.owned.delete(p);
    },
  });
  await cluster.scheduler.drive(started);
  return node;
}

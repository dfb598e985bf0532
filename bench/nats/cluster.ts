/**
 * A Causeway cluster for the NATS scenarios: our own nats-server (never the one on 4222),
 * and three nodes in this process, each with its own `natsTransport` connection, hosting
 * the bank's `account` actor. Ready once every partition has an owner and the assignment
 * has held still for a while. Everything is registered for cleanup.
 */
import { account } from '../../examples/bank/actors.ts';
import { createNode, encodeEnvelope, encodeHlc, HybridClock, natsTransport, systemClock, type Envelope } from '../../index.ts';
import { startNatsServer, type NatsServer } from '../../transport/nats/index.ts';
import { onCleanup, progress, waitFor } from '../harness.ts';

export const PARTITIONS = 64;
/** Actors the load is spread over (ids `a0`…): every partition gets some. */
export const ACTORS = 1024;

export type BenchNode = Awaited<ReturnType<typeof startNode>>;

export interface BenchCluster {
  readonly server: NatsServer;
  readonly nodes: BenchNode[];
  /** Partitions owned per node once settled. */
  readonly owned: number[];
  stop(): Promise<void>;
}

function startNode(url: string, nodeId: string) {
  return createNode({
    actors: [account],
    nodeId,
    idleMs: 600_000,
    transport: natsTransport({ servers: url, namespace: 'bench', partitions: PARTITIONS }),
  });
}

export async function startServer(): Promise<NatsServer> {
  const server = await startNatsServer();
  onCleanup(() => server.stop());
  progress(`nats-server up at ${server.url} (store ${server.storeDir})`);
  return server;
}

export async function startCluster(server: NatsServer, size = 3): Promise<BenchCluster> {
  const nodes: BenchNode[] = [];
  const stop = async () => {
    for (const n of nodes.splice(0)) await n.stop().catch(() => undefined);
  };
  onCleanup(stop);
  for (let i = 0; i < size; i++) nodes.push(await startNode(server.url, `bench-${i}`));
  const owned = () => nodes.map((n) => n.stats().partitions.length);
  let last = '';
  let stableSince = performance.now();
  await waitFor(
    'the partitions to settle over the nodes',
    () => {
      const now = owned();
      const key = now.join(',');
      if (key !== last) {
        last = key;
        stableSince = performance.now();
      }
      const total = now.reduce((a, b) => a + b, 0);
      return total === PARTITIONS && now.every((p) => p > 0) && performance.now() - stableSince > 2_500;
    },
    60_000,
    50,
  );
  progress(`cluster of ${size} nodes settled: partitions per node ${owned().join(' / ')}`);
  return { server, nodes, owned: owned(), stop };
}

/** Size of the encoded envelope of a DEPOSIT, as the router would append it (bytes). */
export function envelopeBytes(): number {
  const payload = { type: 'DEPOSIT', amount: 1 };
  const envelope: Envelope = {
    id: 'bench-0.m1abcdef1.1a2b',
    type: 'DEPOSIT',
    to: { type: 'account', id: 'a512' },
    from: 'client/bench-0/m1abcdef1',
    seq: 123,
    hlc: encodeHlc(new HybridClock('bench-0', systemClock).now()),
    payload,
    timings: { sent: systemClock.micros() },
  };
  return encodeEnvelope(envelope).byteLength;
}

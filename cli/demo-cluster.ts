/**
 * The demo's local cluster: a throwaway nats-server, N `causeway node` processes hosting the
 * bank actors (each writing its history to a JSON-lines file), and a client node in this
 * process that owns no partitions and records its own history in memory. Everything it
 * starts is registered with the `Cleanup`.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bankActors } from '../examples/bank/actors.ts';
import { createNode, natsTransport, type InspectionEvent, type Node } from '../index.ts';
import type { NatsServer } from '../transport/nats/launcher.ts';
import type { HistoryEvent } from '../testing/history.ts';
import type { ChildNode } from './child-node.ts';
import { startProcessNodes } from './process-nodes.ts';
import type { Cleanup } from './cleanup.ts';
import { clientOnly } from './client-transport.ts';
import { leaseOptions } from './nats-flags.ts';

export const BANK_ACTORS = fileURLToPath(new URL('../examples/bank/actors.ts', import.meta.url));

export interface ClusterOptions {
  readonly nodes: number;
  readonly partitions: number;
  readonly leaseMs: number;
  /** Keep the temp dir (histories) instead of removing it. */
  readonly keep: boolean;
  readonly cleanup: Cleanup;
  /** Each record the client node emits, as it happens. */
  readonly onClientRecord?: (record: HistoryEvent) => void;
}

export interface Cluster {
  readonly dir: string;
  readonly server: NatsServer;
  /** Index i holds node `n<i+1>`; a killed node stays in place until restarted. */
  readonly nodes: ChildNode[];
  readonly client: Node<typeof bankActors>;
  readonly clientHistory: HistoryEvent[];
  historyPath(nodeId: string): string;
  /** (Re)starts node `n<index+1>` with its history file. */
  startNode(index: number): Promise<ChildNode>;
  /** SIGKILLs a node and records the crash in its history on its behalf. */
  kill(index: number): Promise<number>;
}

export const NAMESPACE = 'demo';

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const { dir, server, nodes, historyPath, startNode } = await startProcessNodes({
    prefix: 'causeway-demo-',
    actors: BANK_ACTORS,
    namespace: NAMESPACE,
    nodes: o.nodes,
    partitions: o.partitions,
    leaseMs: o.leaseMs,
    keep: o.keep,
    cleanup: o.cleanup,
  });

  const clientHistory: HistoryEvent[] = [];
  const transport = natsTransport({ servers: server.url, partitions: o.partitions, namespace: NAMESPACE, ...leaseOptions(o.leaseMs) });
  const client = await createNode({
    actors: bankActors,
    nodeId: 'demo-client',
    transport: clientOnly(transport),
    inspect: (e: InspectionEvent) => {
      // The runtime's inspection records are the test kit's history records (same shapes).
      const record = e as HistoryEvent;
      clientHistory.push(record);
      o.onClientRecord?.(record);
    },
  });
  o.cleanup.add('stopping the client node', () => client.stop());

  return {
    dir,
    server,
    nodes,
    client,
    clientHistory,
    historyPath,
    startNode,
    async kill(index) {
      const node = nodes[index]!;
      const at = Date.now(); // taken before the signal: failover is measured from here
      await node.kill('SIGKILL');
      // The process is gone, so nothing else writes this file now.
      appendFileSync(historyPath(node.nodeId), JSON.stringify({ kind: 'crash', node: node.nodeId, at }) + '\n');
      return at;
    },
  };
}

/** Resolves once every running node owns partitions and together they own each exactly once. */
export async function waitBalanced(nodes: readonly ChildNode[], partitions: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const running = nodes.filter((n) => n.running);
    const owned = await Promise.all(running.map((n) => n.stats().then((s) => s.stats.partitions)));
    const all = owned.flat();
    last = running.map((n, i) => `${n.nodeId}:${owned[i]!.length}`).join(' ');
    if (owned.every((p) => p.length > 0) && all.length === partitions && new Set(all).size === partitions) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`partitions not spread over the nodes within ${timeoutMs} ms (${last})`);
}

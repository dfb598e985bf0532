/**
 * The demo's local cluster: a throwaway nats-server, N `causeway node` processes hosting the
 * bank actors (each writing its history to a JSON-lines file), and a client node in this
 * process that owns no partitions and records its own history in memory. Everything it
 * starts is registered with the `Cleanup`.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bankActors } from '../examples/bank/actors.ts';
import { createNode, natsTransport, type InspectionEvent, type Node } from '../index.ts';
import { startNatsServer, type NatsServer } from '../transport/nats/launcher.ts';
import type { HistoryEvent } from '../testing/history.ts';
import { ChildNode } from './child-node.ts';
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
  const dir = mkdtempSync(join(tmpdir(), 'causeway-demo-'));
  o.cleanup.add('removing the temp dir', () => {
    if (o.keep) console.error(`kept histories in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });
  const server = await startNatsServer();
  o.cleanup.add('stopping nats-server', () => server.stop());

  const nodes: ChildNode[] = [];
  const historyPath = (nodeId: string) => join(dir, `${nodeId}.jsonl`);
  o.cleanup.add('stopping the nodes', () => Promise.all(nodes.map((n) => n.stop(5_000))));
  const startNode = async (index: number): Promise<ChildNode> => {
    const nodeId = `n${index + 1}`;
    const node = await ChildNode.start({
      nodeId,
      actors: BANK_ACTORS,
      nats: server.url,
      history: historyPath(nodeId),
      partitions: o.partitions,
      namespace: NAMESPACE,
      leaseMs: o.leaseMs,
    });
    nodes[index] = node;
    return node;
  };
  await Promise.all(Array.from({ length: o.nodes }, (_, i) => startNode(i)));

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

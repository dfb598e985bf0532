/**
 * The cluster `causeway chaos` torments: a throwaway nats-server (restartable on the same
 * port and store dir), N `causeway node` processes hosting the bank and FIFO actors, each
 * writing its history to a JSON-lines file, and client nodes in this process that own no
 * partitions: one for the bank workload and one per FIFO sender (each client node is its
 * own sender for G3). Everything started is registered with the `Cleanup`.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNode, natsTransport, type InspectionEvent, type Node } from '../index.ts';
import type { HistoryEvent } from '../testing/history.ts';
import type { NatsServer } from '../transport/nats/launcher.ts';
import { chaosActors } from './chaos-actors.ts';
import type { ChildNode } from './child-node.ts';
import { startProcessNodes } from './process-nodes.ts';
import type { Cleanup } from './cleanup.ts';
import { clientOnly } from './client-transport.ts';
import { leaseOptions } from './nats-flags.ts';

export const CHAOS_ACTORS = fileURLToPath(new URL('./chaos-actors.ts', import.meta.url));

const NAMESPACE = 'chaos';
/** A client or node that does not stop within this is left behind (and killed on exit). */
const STOP_TIMEOUT_MS = 10_000;

export interface ChaosClusterOptions {
  readonly nodes: number;
  readonly partitions: number;
  readonly leaseMs: number;
  /** FIFO sender client nodes. */
  readonly fifoSenders: number;
  /** Keep the temp dir (histories) instead of removing it. */
  readonly keep: boolean;
  readonly cleanup: Cleanup;
  /** Each record a client node emits, as it happens. */
  readonly onClientRecord: (record: HistoryEvent) => void;
}

/** A client node in this process and the history it recorded (in memory, in its order). */
export interface Client {
  readonly id: string;
  readonly node: Node<typeof chaosActors>;
  readonly history: HistoryEvent[];
}

export interface ChaosCluster {
  readonly dir: string;
  readonly server: NatsServer;
  /** Index i holds node `n<i+1>`; a killed node stays in place until restarted. */
  readonly nodes: ChildNode[];
  readonly bank: Client;
  readonly fifo: readonly Client[];
  readonly clients: readonly Client[];
  historyPath(nodeId: string): string;
  /** (Re)starts node `n<index+1>` with its history file. */
  startNode(index: number): Promise<ChildNode>;
  /** SIGKILLs a node and records the crash in its history on its behalf; resolves with the time. */
  kill(index: number): Promise<number>;
  /**
   * Writes the clients' histories next to the nodes' (`<dir>/<client>.jsonl`) and the last
   * few KB each node wrote to stderr (`<dir>/<node>.stderr`), for `--keep`.
   */
  saveForInspection(): void;
}

export async function startChaosCluster(o: ChaosClusterOptions): Promise<ChaosCluster> {
  const { dir, server, nodes, historyPath, startNode } = await startProcessNodes({
    prefix: 'causeway-chaos-',
    actors: CHAOS_ACTORS,
    namespace: NAMESPACE,
    nodes: o.nodes,
    partitions: o.partitions,
    leaseMs: o.leaseMs,
    keep: o.keep,
    cleanup: o.cleanup,
  });

  const startClient = async (id: string): Promise<Client> => {
    const history: HistoryEvent[] = [];
    const transport = natsTransport({ servers: server.url, partitions: o.partitions, namespace: NAMESPACE, ...leaseOptions(o.leaseMs) });
    const node = await createNode({
      actors: chaosActors,
      nodeId: id,
      transport: clientOnly(transport),
      inspect: (e: InspectionEvent) => {
        // The runtime's inspection records are the test kit's history records (same shapes).
        const record = e as HistoryEvent;
        history.push(record);
        o.onClientRecord(record);
      },
    });
    o.cleanup.add(`stopping client ${id}`, () => withTimeout(node.stop(), STOP_TIMEOUT_MS, `client ${id} did not stop`));
    return { id, node, history };
  };
  const bank = await startClient('bank');
  const fifo = await Promise.all(Array.from({ length: o.fifoSenders }, (_, i) => startClient(`fifo-${i + 1}`)));
  const clients = [bank, ...fifo];

  return {
    dir,
    server,
    nodes,
    bank,
    fifo,
    clients,
    historyPath,
    startNode,
    async kill(index) {
      const node = nodes[index]!;
      const at = Date.now(); // before the signal: takeover is measured from here
      await node.kill('SIGKILL');
      // The process is gone, so nothing else writes this file now.
      appendFileSync(historyPath(node.nodeId), JSON.stringify({ kind: 'crash', node: node.nodeId, at }) + '\n');
      return at;
    },
    saveForInspection() {
      for (const c of clients) writeFileSync(join(dir, `${c.id}.jsonl`), c.history.map((r) => JSON.stringify(r) + '\n').join(''));
      for (const n of nodes) writeFileSync(join(dir, `${n.nodeId}.stderr`), n.stderrTail);
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

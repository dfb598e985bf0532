/**
 * A cluster of real `causeway node` processes for integration tests: its own nats-server, N
 * child nodes hosting the bank actors, each writing its history to a JSON-lines file, driven
 * through their control channels. Histories are read back merged (`mergeByTime`).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildNode } from '../../cli/child-node.ts';
import { BANK_ACTORS } from '../../cli/demo-cluster.ts';
import { mergeByTime } from '../../cli/history-tail.ts';
import { SettleTracker } from '../../cli/settle-tracker.ts';
import { parseJsonLines, type History, type HistoryEvent } from '../../testing/history.ts';
import { startNatsServer, type NatsServer } from './nats-server.ts';

const NAMESPACE = 'proc';

export interface ProcessCluster {
  readonly server: NatsServer;
  readonly dir: string;
  readonly partitions: number;
  /** `nodes[i]` is `n<i+1>`; a killed node stays until restarted. */
  readonly nodes: ChildNode[];
  start(index: number): Promise<ChildNode>;
  /** SIGKILL, then a `crash` record in its history on its behalf; resolves with the kill time. */
  kill(index: number): Promise<number>;
  /** Flushes running nodes, reads every history, merges. */
  history(): Promise<History>;
  /** Waits until every event of every root's causal tree is committed or dead-lettered. */
  settle(roots: readonly string[], timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startProcessCluster(count: number, partitions: number, leaseMs: number): Promise<ProcessCluster> {
  const server = await startNatsServer();
  const dir = mkdtempSync(join(tmpdir(), 'causeway-proc-'));
  const nodes: ChildNode[] = [];
  const path = (i: number) => join(dir, `n${i + 1}.jsonl`);

  const read = (): HistoryEvent[][] =>
    Array.from({ length: count }, (_, i) => {
      try {
        return [...parseJsonLines(readFileSync(path(i), 'utf8'))];
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return [];
        throw error;
      }
    });

  const cluster: ProcessCluster = {
    server,
    dir,
    partitions,
    nodes,
    async start(i) {
      const node = await ChildNode.start({ nodeId: `n${i + 1}`, actors: BANK_ACTORS, nats: server.url, history: path(i), partitions, namespace: NAMESPACE, leaseMs });
      nodes[i] = node;
      return node;
    },
    async kill(i) {
      const at = Date.now();
      await nodes[i]!.kill('SIGKILL');
      appendFileSync(path(i), JSON.stringify({ kind: 'crash', node: `n${i + 1}`, at }) + '\n');
      return at;
    },
    async history() {
      await Promise.all(nodes.filter((n) => n.running).map((n) => n.flush()));
      return mergeByTime(read());
    },
    async settle(roots, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const tracker = new SettleTracker();
        roots.forEach((r) => tracker.track(r));
        tracker.add(mergeByTime(read()));
        tracker.update();
        if (tracker.openCount === 0) return;
        if (Date.now() > deadline) throw new Error(`${tracker.openCount} of ${roots.length} events not settled, e.g. ${tracker.openRoots().slice(0, 3).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    },
    async close() {
      await Promise.all(nodes.map((n) => n.stop(5_000)));
      await server.stop();
      if (process.env.KEEP_HISTORIES) console.log(`histories kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(Array.from({ length: count }, (_, i) => cluster.start(i)));
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

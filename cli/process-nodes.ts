/**
 * The part the demo and the chaos run share: a throwaway nats-server, a temp dir for the
 * histories, and N `causeway node` processes (`n1`..`nN`) hosting one actor module, each
 * writing its history to `<dir>/<node>.jsonl`. Everything is registered with the `Cleanup`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, type NatsServer } from '../transport/nats/launcher.ts';
import { ChildNode } from './child-node.ts';
import type { Cleanup } from './cleanup.ts';

export interface ProcessNodesOptions {
  /** Temp dir name prefix, e.g. `causeway-demo-`. */
  readonly prefix: string;
  /** Path of the module exporting the actor definitions. */
  readonly actors: string;
  readonly namespace: string;
  readonly nodes: number;
  readonly partitions: number;
  readonly leaseMs: number;
  readonly keep: boolean;
  readonly cleanup: Cleanup;
}

export interface ProcessNodes {
  readonly dir: string;
  readonly server: NatsServer;
  /** Index i holds node `n<i+1>`; a killed node stays in place until restarted. */
  readonly nodes: ChildNode[];
  historyPath(nodeId: string): string;
  /** (Re)starts node `n<index+1>` with its history file. */
  startNode(index: number): Promise<ChildNode>;
}

export async function startProcessNodes(o: ProcessNodesOptions): Promise<ProcessNodes> {
  const dir = mkdtempSync(join(tmpdir(), o.prefix));
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
      actors: o.actors,
      nats: server.url,
      history: historyPath(nodeId),
      partitions: o.partitions,
      namespace: o.namespace,
      leaseMs: o.leaseMs,
    });
    nodes[index] = node;
    return node;
  };
  await Promise.all(Array.from({ length: o.nodes }, (_, i) => startNode(i)));
  return { dir, server, nodes, historyPath, startNode };
}

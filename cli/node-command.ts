/**
 * `causeway node`: one node process hosting the actors a module exports, on NATS. It runs
 * until SIGTERM/SIGINT (or a `stop` on the control channel), then stops gracefully: drains
 * its partitions, persists, releases its leases, flushes its history, exits 0.
 */
import { randomBytes } from 'node:crypto';
import { createNode, natsTransport, type InspectionEvent } from '../index.ts';
import { flag, integer, optionalInteger, optionalString, parse, requiredString, UsageError } from './args.ts';
import { leaseOptions, serversOf } from './nats-flags.ts';
import { serveControl } from './control-server.ts';
import { HistoryFile } from './history-file.ts';
import { loadActors } from './load-actors.ts';

export const USAGE = `usage: causeway node --actors <module> --nats <url> [flags]

  --actors <module>    module (path relative to the working directory) whose exports
                       include actor definitions; every one is hosted
  --nats <url>         NATS server url; several comma-separated
  --node-id <id>       default node-<random hex>; a restarted node should keep its id
  --partitions <n>     default 64; every node of a namespace must agree
  --namespace <ns>     default 'causeway'
  --history <file>     append every inspection record to <file> as a JSON line
                       (the test kit's history format)
  --lease-ms <ms>      partition lease time, default 3000; leases are renewed and
                       heartbeats sent every third of it, a silent member is dead after it
  --control            take control requests as JSON lines on stdin, reply on stdout
                       (see cli/control-protocol.ts); stop when stdin closes

Stops gracefully on SIGTERM or SIGINT (drain, release leases), exit code 0.`;

const OPTIONS = {
  actors: { type: 'string' },
  nats: { type: 'string' },
  'node-id': { type: 'string' },
  partitions: { type: 'string' },
  namespace: { type: 'string' },
  history: { type: 'string' },
  'lease-ms': { type: 'string' },
  control: { type: 'boolean' },
} as const;

/** A stop that takes longer than this is abandoned (exit 1): leases then simply expire. */
const STOP_TIMEOUT_MS = 20_000;

export async function main(args: string[]): Promise<number> {
  const p = parse(args, OPTIONS);
  const modulePath = requiredString(p, 'actors');
  const servers = serversOf(requiredString(p, 'nats'));
  const nodeId = optionalString(p, 'node-id') ?? `node-${randomBytes(4).toString('hex')}`;
  const partitions = integer(p, 'partitions', 64, 1, 4096);
  const namespace = optionalString(p, 'namespace');
  const leaseMs = optionalInteger(p, 'lease-ms', 300, 600_000);
  const historyPath = optionalString(p, 'history');
  if (historyPath === '') throw new UsageError('--history needs a file name');

  const actors = await loadActors(modulePath);
  const history = historyPath === undefined ? undefined : new HistoryFile(historyPath);
  // Appending to a file an earlier run of this node wrote: mark where this run begins.
  if (history?.resumed) history.append({ kind: 'restart', node: nodeId, at: Date.now() });
  const node = await createNode({
    actors,
    nodeId,
    transport: natsTransport({ servers, partitions, ...(namespace ? { namespace } : {}), ...leaseOptions(leaseMs) }),
    ...(history ? { inspect: (e: InspectionEvent) => history.record(e) } : {}),
  }).catch((error: unknown) => {
    history?.close();
    throw error;
  });

  let stopping: Promise<number> | undefined;
  const stop = (why: string): Promise<number> =>
    (stopping ??= (async () => {
      console.error(`causeway node ${nodeId}: stopping (${why})`);
      const timeout = setTimeout(() => {
        console.error(`causeway node ${nodeId}: stop took over ${STOP_TIMEOUT_MS} ms, exiting`);
        history?.close();
        process.exit(1);
      }, STOP_TIMEOUT_MS);
      try {
        await node.stop();
        return 0;
      } catch (error) {
        console.error(`causeway node ${nodeId}: stop failed: ${(error as Error).message}`);
        return 1;
      } finally {
        clearTimeout(timeout);
        history?.close();
      }
    })());

  const done = new Promise<number>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal).then(resolve));
    if (flag(p, 'control')) {
      serveControl({ node, history, input: process.stdin, output: process.stdout, onStop: (why) => void stop(why).then(resolve) });
    }
  });
  const types = actors.map((a) => a.type).join(',');
  console.log(`causeway node ${nodeId} ready: actors=${types} nats=${servers.join(',')} partitions=${partitions} pid=${process.pid}`);
  return done;
}

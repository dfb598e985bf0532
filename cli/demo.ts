/**
 * `causeway demo`: a local cluster of node processes running the bank example, with a node
 * SIGKILLed midway if asked, and a verdict computed from the merged histories of all
 * processes (see demo-verdict.ts). Everything started is cleaned up, also on Ctrl-C.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findNatsServer } from '../transport/nats/launcher.ts';
import { flag, integer, parse, UsageError } from './args.ts';
import { Cleanup } from './cleanup.ts';
import { NAMESPACE as DEMO_NAMESPACE, startCluster, waitBalanced } from './demo-cluster.ts';
import { printReport, type DemoResult } from './demo-report.ts';
import { judge, settleLatencies } from './demo-verdict.ts';
import { seedAccounts, sendTransfers, totalBalance, type WorkloadOptions } from './demo-workload.ts';
import { HistoryTail, mergeByTime } from './history-tail.ts';
import { Progress } from './progress.ts';
import { SettleTracker } from './settle-tracker.ts';

export const USAGE = `usage: causeway demo [flags]

Starts nats-server (free port, temp store) and a cluster of 'causeway node' processes
hosting the bank example, sends transfers from a client node in this process, and checks
the merged histories of every process: nothing lost, nothing applied twice, per-sender
order kept, money conserved.

  --nodes <n>         node processes, default 3
  --kill <i>          SIGKILL node n<i> halfway through the transfers, restart it once
                      its partitions were taken over (default: no kill)
  --accounts <n>      default 20, each seeded with 1000
  --transfers <n>     default 2000
  --rate <n>          transfers sent per second, default 200
  --partitions <n>    default 32
  --lease-ms <ms>     partition lease time, default 1000; failover after a kill takes
                      about twice this (member declared dead, then its lease lapses)
  --seed <n>          seed of the random transfers, default random
  --timeout <s>       give up waiting for transfers to settle after this, default 120
  --stats             also print 'causeway stats' for the cluster while the transfers run
  --keep              keep the temp dir with the histories (<dir>/n<i>.jsonl)
  --json              print the result as one JSON object on the last line

Exit code 0 when every check passed, 1 otherwise.`;

const OPTIONS = {
  nodes: { type: 'string' },
  kill: { type: 'string' },
  accounts: { type: 'string' },
  transfers: { type: 'string' },
  rate: { type: 'string' },
  partitions: { type: 'string' },
  'lease-ms': { type: 'string' },
  seed: { type: 'string' },
  timeout: { type: 'string' },
  keep: { type: 'boolean' },
  json: { type: 'boolean' },
  stats: { type: 'boolean' },
} as const;

export async function main(args: string[]): Promise<number> {
  const p = parse(args, OPTIONS);
  const nodes = integer(p, 'nodes', 3, 1, 16);
  const kill = integer(p, 'kill', 0, 0, nodes);
  if (kill > 0 && nodes < 2) throw new UsageError('--kill needs at least 2 nodes (someone must take over)');
  const partitions = integer(p, 'partitions', 32, 1, 1024);
  const leaseMs = integer(p, 'lease-ms', 1000, 300, 60_000);
  const timeoutMs = integer(p, 'timeout', 120, 1, 3600) * 1000;
  const json = flag(p, 'json');
  const progress = new Progress();
  const workload: WorkloadOptions = {
    accounts: integer(p, 'accounts', 20, 2, 100_000),
    transfers: integer(p, 'transfers', 2000, 1, 10_000_000),
    rate: integer(p, 'rate', 200, 1, 1_000_000),
    initialBalance: 1000,
    kill,
    seed: integer(p, 'seed', Math.floor(Math.random() * 1e9), 0, 2 ** 31),
    note: (m) => progress.note(m),
  };

  try {
    findNatsServer();
  } catch (error) {
    console.error(`causeway demo: ${(error as Error).message}`);
    return 1;
  }
  const cleanup = new Cleanup();
  try {
    const began = Date.now();
    const tracker = new SettleTracker();
    progress.note(`starting nats-server and ${nodes} node processes (${partitions} partitions, lease ${leaseMs} ms)...`);
    const cluster = await startCluster({ nodes, partitions, leaseMs, keep: flag(p, 'keep'), cleanup, onClientRecord: (r) => tracker.add([r]) });
    await waitBalanced(cluster.nodes, partitions, 30_000);
    progress.note(`cluster up: nats ${cluster.server.url}, nodes ${cluster.nodes.map((n) => `${n.nodeId} (pid ${n.pid})`).join(', ')}`);

    await seedAccounts(cluster, workload);
    const totalBalanceBefore = await totalBalance(cluster, workload.accounts);
    progress.note(`seeded ${workload.accounts} accounts, total ${totalBalanceBefore}; sending ${workload.transfers} transfers at ${workload.rate}/s (seed ${workload.seed})`);

    const tail = new HistoryTail(cluster.nodes.map((n) => cluster.historyPath(n.nodeId)));
    const wait = { tail, tracker, progress, total: workload.transfers, began };
    let sending = true;
    const display = showProgress(wait, () => sending);
    cleanup.add('stopping the progress display', () => display.stop());
    // The cluster-wide latency view, exactly as 'causeway stats' prints it, over the run.
    const stats = flag(p, 'stats')
      ? import('./stats.ts').then((m) => m.main(['--nats', cluster.server.url, '--namespace', DEMO_NAMESPACE, '--duration', `${Math.ceil(workload.transfers / workload.rate) + 2}s`]))
      : undefined;
    const sends = await sendTransfers(cluster, tracker, workload);
    sending = false;
    const killed = await sends.killed;
    await waitSettled(wait, Date.now() + timeoutMs);
    await stats;
    display.stop();
    display.refresh();
    progress.end();
    if (tracker.openCount > 0) progress.note(`${tracker.openCount} transfers did not settle within ${timeoutMs / 1000} s`);

    const totalBalanceAfter = await totalBalance(cluster, workload.accounts);
    // Graceful stops flush every node's history; only then is the merged history complete.
    await Promise.all(cluster.nodes.map((n) => n.stop()));
    tail.poll();
    // Next to the nodes' histories, so a kept dir holds the whole run.
    writeFileSync(join(cluster.dir, 'demo-client.jsonl'), cluster.clientHistory.map((r) => JSON.stringify(r) + '\n').join(''));
    const history = mergeByTime([...tail.perFile(), cluster.clientHistory]);
    const verdict = judge(history, killed);
    const settled = tracker.settled();
    const result: DemoResult = {
      ...verdict,
      totalBalanceBefore,
      totalBalanceAfter,
      transfers: {
        sent: sends.accepted,
        failedToSend: sends.failed,
        completed: settled.filter((s) => !s.dead && s.depth >= 3).length,
        rejected: settled.filter((s) => !s.dead && s.depth < 3).length,
        deadLettered: settled.filter((s) => s.dead).length,
        unsettled: tracker.openCount,
        ...prefixed(settleLatencies(settled)),
      },
      takeoverMs: killed?.takeoverMs ?? null,
      killed: killed ? { node: killed.node, partitions: killed.partitions.length, restarted: killed.restarted } : null,
      nodes,
      partitions,
      leaseMs,
      seed: workload.seed,
      historyRecords: history.length,
      durationMs: Date.now() - began,
      sendErrors: sends.errors,
    };
    return printReport(result, json);
  } finally {
    progress.end();
    await cleanup.run();
  }
}

function prefixed(l: { p50Ms: number; p99Ms: number }) {
  return { settleP50Ms: l.p50Ms, settleP99Ms: l.p99Ms };
}

// --- waiting, with a live progress line; settling is read from the histories as the nodes
// write them (see settle-tracker.ts) -------------------------------------------------------

interface WaitOptions {
  readonly tail: HistoryTail;
  readonly tracker: SettleTracker;
  readonly progress: Progress;
  /** Transfers to be sent in all. */
  readonly total: number;
  /** When the demo began (ms), for the elapsed time. */
  readonly began: number;
}

const TICK_MS = 200;

/** Reads new history records and redraws the progress line every tick until `stop()`. */
function showProgress(o: WaitOptions, sending: () => boolean): { stop(): void; refresh(): void } {
  const refresh = (): void => {
    o.tracker.add(o.tail.poll());
    o.tracker.update();
    const sent = o.tracker.settledCount + o.tracker.openCount;
    const status = `settled · ${sent} sent${sending() ? '' : ' (all)'} · ${((Date.now() - o.began) / 1000).toFixed(1)} s`;
    o.progress.update(o.tracker.settledCount, o.total, status);
  };
  const timer = setInterval(refresh, TICK_MS);
  return { stop: () => clearInterval(timer), refresh };
}

/** Resolves when no transfer is open any more (the progress display keeps reading), or at `deadline`. */
async function waitSettled(o: WaitOptions, deadline: number): Promise<void> {
  while (o.tracker.openCount > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, TICK_MS));
}

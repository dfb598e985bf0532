/**
 * `causeway chaos`: a real nats-server and node processes under a bank workload and a FIFO
 * workload, while a seeded plan SIGKILLs and restarts nodes, SIGSTOPs one past its lease and
 * restarts nats-server once. Then it lets everything settle, stops the nodes gracefully and
 * judges the merged histories and the actors' final state (chaos-verdict.ts). Everything it
 * starts is cleaned up, also on Ctrl-C and on errors.
 */
import { findNatsServer } from '../transport/nats/launcher.ts';
import { flag, integer, parse, UsageError } from './args.ts';
import { Cleanup } from './cleanup.ts';
import { startChaosCluster } from './chaos-cluster.ts';
import { runFaults } from './chaos-faults.ts';
import { Ledger, type Call } from './chaos-ledger.ts';
import { defaultKills, describeFault, planFaults } from './chaos-plan.ts';
import { printReport, type SendCounts } from './chaos-report.ts';
import { Quiescence } from './chaos-settle.ts';
import { checkBank, checkCounters, checkHistory, committedEvents } from './chaos-verdict.ts';
import { Load, readBalances, readCounters, seedAccounts, type WorkloadOptions } from './chaos-workload.ts';
import { waitBalanced } from './demo-cluster.ts';
import { HistoryTail, mergeByTime } from './history-tail.ts';
import { Progress } from './progress.ts';

export const USAGE = `usage: causeway chaos [flags]

Starts nats-server (free port, temp store) and a cluster of 'causeway node' processes
hosting the bank and FIFO example actors; sends transfers, deposits and numbered FIFO
events from client nodes in this process while a seeded plan SIGKILLs and restarts nodes,
SIGSTOPs one node past its lease, and kills and restarts nats-server once (same port and
store; sends fail loudly meanwhile and count as not accepted). Then waits until every
accepted event is processed or dead-lettered, stops the nodes gracefully, and checks the
merged histories (lost, duplicated, out of order, double activations...), the bank total
and the counters. The last line of output is the verdict as JSON.

Causal order is judged by the stamps events were delivered with: an event sent again under
its id (a replayed turn, a retried append) gets a new stamp in its send record although
the log dropped that copy as a duplicate. The report counts such records and gives the
causal checker's raw count next to the one by delivered stamps.

  --duration <s>      how long the load runs, default 60 (longer if faults are still
                      under way)
  --seed <n>          seed of the fault plan and the workload, default random
  --nodes <n>         node processes, default 3
  --kills <n>         node SIGKILLs, default one per 12 s of load beyond 10 s (at least 1)
  --rate <n>          client sends per second, default 150 (35 % transfers, 15 %
                      deposits, 50 % FIFO events)
  --senders <n>       FIFO sender client nodes, default 3
  --counters <n>      FIFO counters, default 8
  --accounts <n>      bank accounts, default 20, each seeded with 1000
  --partitions <n>    default 32
  --lease-ms <ms>     partition lease time, default 1000
  --timeout <s>       give up waiting for events to settle after this, default 120
  --keep              keep the temp dir with the histories (<dir>/<node>.jsonl)
  --json              print the verdict as one JSON object on the last line

Exit code 0 when every count is 0 (causal: by delivered stamps), the balance is conserved
and the counters are exact; 1 otherwise.`;

const OPTIONS = {
  duration: { type: 'string' },
  seed: { type: 'string' },
  nodes: { type: 'string' },
  kills: { type: 'string' },
  rate: { type: 'string' },
  senders: { type: 'string' },
  counters: { type: 'string' },
  accounts: { type: 'string' },
  partitions: { type: 'string' },
  'lease-ms': { type: 'string' },
  timeout: { type: 'string' },
  keep: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const INITIAL_BALANCE = 1000;
/** Nothing open for this long means settled (stragglers show up well within it). */
const QUIET_MS = 2_000;
const TICK_MS = 200;
/** After settling, answers take milliseconds; a partition nobody processes must not hold the verdict up long. */
const FINAL_ASK_TIMEOUT_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function main(args: string[]): Promise<number> {
  const p = parse(args, OPTIONS);
  const durationMs = integer(p, 'duration', 60, 5, 3600) * 1000;
  const nodes = integer(p, 'nodes', 3, 2, 16);
  const partitions = integer(p, 'partitions', 32, 1, 1024);
  if (partitions < nodes) throw new UsageError(`--partitions (${partitions}) must be at least --nodes (${nodes})`);
  const leaseMs = integer(p, 'lease-ms', 1000, 300, 60_000);
  const timeoutMs = integer(p, 'timeout', 120, 1, 3600) * 1000;
  const json = flag(p, 'json');
  const seed = integer(p, 'seed', Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31);
  const kills = integer(p, 'kills', defaultKills(durationMs), 1, 100);
  const senders = integer(p, 'senders', 3, 1, 32);
  const workload: WorkloadOptions = {
    accounts: integer(p, 'accounts', 20, 2, 100_000),
    counters: integer(p, 'counters', 8, 1, 10_000),
    rate: integer(p, 'rate', 150, 1, 100_000),
    initialBalance: INITIAL_BALANCE,
    seed,
  };
  try {
    findNatsServer();
  } catch (error) {
    console.error(`causeway chaos: ${(error as Error).message}`);
    return 1;
  }

  const progress = new Progress();
  const cleanup = new Cleanup();
  let aborted = false;
  try {
    const began = Date.now();
    const quiet = new Quiescence();
    progress.note(`starting nats-server, ${nodes} node processes and ${senders + 1} clients (${partitions} partitions, lease ${leaseMs} ms, seed ${seed})...`);
    const cluster = await startChaosCluster({ nodes, partitions, leaseMs, fifoSenders: senders, keep: flag(p, 'keep'), cleanup, onClientRecord: (r) => quiet.add([r]) });
    await waitBalanced(cluster.nodes, partitions, 30_000);
    const tail = new HistoryTail(cluster.nodes.map((n) => cluster.historyPath(n.nodeId)));
    const poller = setInterval(() => quiet.add(tail.poll()), TICK_MS);
    cleanup.add('stopping the history poller', () => clearInterval(poller));

    const ledger = new Ledger();
    await seedAccounts(cluster, ledger, workload);
    const before = sum(await readBalances(cluster, ledger, workload.accounts));
    const plan = planFaults({ seed, durationMs, nodes, leaseMs, kills });
    progress.note(`cluster up (nats ${cluster.server.url}); bank total ${before}; load ${workload.rate} sends/s for ${durationMs / 1000} s; plan:`);
    for (const f of plan) progress.note(`  +${(f.dueMs / 1000).toFixed(1)} s  ${describeFault(f)}`);

    // Registered last, so it runs first: no node or server is brought back once cleanup began.
    cleanup.add('stopping fault injection', () => (aborted = true));
    const firstLoadCall = ledger.calls.length;
    const load = new Load(cluster, ledger, workload);
    const loadBegan = Date.now();
    load.start();
    const display = setInterval(() => {
      const s = sendCounts(ledger.calls.slice(firstLoadCall));
      progress.update(Math.min(Date.now() - loadBegan, durationMs), durationMs, `ms of load · ${s.accepted}/${s.sent} sends accepted · ${quiet.openCount} events open`);
    }, TICK_MS);
    cleanup.add('stopping the progress display', () => clearInterval(display));
    const faults = await Promise.all([
      runFaults(plan, { cluster, ledger, partitions, began: loadBegan, note: (m) => progress.note(m), aborted: () => aborted }),
      sleep(durationMs),
    ]).then(([outcomes]) => outcomes);
    await load.stop();
    const loadMs = Date.now() - loadBegan;
    clearInterval(display);
    progress.end();

    progress.note(`load stopped after ${(loadMs / 1000).toFixed(1)} s; waiting for ${quiet.openCount} open events to settle...`);
    const settleDeadline = Date.now() + timeoutMs;
    while (!quiet.settled(QUIET_MS) && Date.now() < settleDeadline) await sleep(TICK_MS);
    const quietSince = quiet.quietSince;
    const settleMs = quietSince === undefined ? null : Math.max(0, quietSince - loadBegan - loadMs);
    const unsettled = quiet.openCount;
    const stuckPartitions = unsettled === 0 ? [] : await quiet.stuckPartitions(cluster.nodes, partitions);
    if (unsettled > 0) {
      progress.note(`${unsettled} events did not settle within ${timeoutMs / 1000} s, e.g. ${quiet.openSample().join(', ')}`);
      for (const s of stuckPartitions) progress.note(`  partition ${s.partition} (owned by ${s.owners.join(', ') || 'nobody'}): ${s.openEvents} open events`);
    }

    // Read even when something is stuck: the verdict must still come, saying what failed.
    const errors: string[] = [];
    const [balances, counterStates] = await Promise.all([
      readBalances(cluster, ledger, workload.accounts, FINAL_ASK_TIMEOUT_MS).catch((e: unknown) => void errors.push(`final balances: ${(e as Error).message}`)),
      readCounters(cluster, ledger, workload.counters, FINAL_ASK_TIMEOUT_MS).catch((e: unknown) => void errors.push(`final counters: ${(e as Error).message}`)),
    ]);
    // Graceful stops flush every node's history; only then is the merged history complete.
    await Promise.all(cluster.nodes.map((n) => n.stop()));
    clearInterval(poller);
    tail.poll();
    cluster.saveForInspection();

    const unmatched = ledger.resolve(cluster.clients);
    const history = mergeByTime([...tail.perFile(), ...cluster.clients.map((c) => c.history)]);
    const committed = committedEvents(history);
    const { details, ...checked } = checkHistory(history);
    const loadCalls = ledger.calls.slice(firstLoadCall);
    const bank = checkBank(loadCalls, committed, before, balances ? sum(balances) : null);
    const by = (kind: Call['kind']) => sendCounts(loadCalls.filter((c) => c.kind === kind), committed);
    return printReport(
      {
        history: checked,
        balanceConserved: bank.after === bank.expected,
        bank,
        counters: checkCounters(loadCalls, committed, cluster.fifo.map((c) => c.id), counterStates ?? undefined),
        sends: { transfers: by('transfer'), deposits: by('deposit'), adds: by('add') },
        unsettled,
        stuckPartitions,
        settleMs,
        unmatchedCalls: unmatched.length,
        faults,
        seed,
        nodes,
        partitions,
        leaseMs,
        loadMs,
        historyRecords: history.length,
        durationMs: Date.now() - began,
        sendErrors: ledger.errors,
        errors,
        details,
      },
      json,
    );
  } finally {
    progress.end();
    await cleanup.run();
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function sendCounts(calls: readonly Call[], committed?: ReadonlySet<string>): SendCounts {
  const accepted = calls.filter((c) => c.accepted === true).length;
  const notAccepted = calls.filter((c) => c.accepted === false);
  const applied = committed === undefined ? 0 : notAccepted.filter((c) => c.event !== undefined && committed.has(c.event)).length;
  return { sent: calls.length, accepted, notAccepted: notAccepted.length, appliedThoughNotAccepted: applied };
}

/**
 * The demo's bank workload, driven from the client node: seed every account with a deposit,
 * read the total, send transfers between random accounts at a steady rate, and (optionally)
 * SIGKILL one node halfway and restart it once its partitions were taken over.
 */
import { account, transfer } from '../examples/bank/actors.ts';
import type { Cluster } from './demo-cluster.ts';
import type { KillInfo } from './demo-verdict.ts';
import type { SettleTracker } from './settle-tracker.ts';
import { seededRandom } from './chaos-plan.ts';

export interface WorkloadOptions {
  readonly accounts: number;
  readonly transfers: number;
  /** Transfers sent per second. */
  readonly rate: number;
  readonly initialBalance: number;
  /** 1-based index of the node to kill halfway; 0 for none. */
  readonly kill: number;
  readonly seed: number;
  readonly note: (message: string) => void;
}

export interface KillOutcome extends KillInfo {
  /** Kill to every one of its partitions owned by a surviving node (stats polling), ms. */
  takeoverMs: number | null;
  restarted: boolean;
}

export interface SendOutcome {
  readonly accepted: number;
  readonly failed: number;
  readonly errors: string[];
  /** Settles when the kill, takeover wait and restart are done (undefined without a kill). */
  readonly killed: Promise<KillOutcome | undefined>;
}

export const accountId = (i: number) => `acc-${i}`;

export async function seedAccounts(cluster: Cluster, o: WorkloadOptions): Promise<void> {
  const deposit = { type: 'DEPOSIT', amount: o.initialBalance } as const;
  await Promise.all(Array.from({ length: o.accounts }, (_, i) => cluster.client.send(account.ref(accountId(i)), deposit)));
}

/** Sum of all balances, asked of each account (answers come after earlier sends: FIFO). */
export async function totalBalance(cluster: Cluster, accounts: number): Promise<number> {
  const balances = await Promise.all(
    Array.from({ length: accounts }, (_, i) => cluster.client.ask(account.ref(accountId(i)), { type: 'BALANCE' }, { timeoutMs: 30_000 })),
  );
  return balances.reduce((sum: number, b) => sum + (b as number), 0);
}

/** Sends every transfer at `rate`, tracking each as a root; kills a node halfway if asked. */
export async function sendTransfers(cluster: Cluster, tracker: SettleTracker, o: WorkloadOptions): Promise<SendOutcome> {
  const random = seededRandom(o.seed);
  const sends: Promise<void>[] = [];
  const errors: string[] = [];
  let accepted = 0;
  let failed = 0;
  let killed: Promise<KillOutcome | undefined> = Promise.resolve(undefined);
  const start = Date.now();
  for (let i = 0; i < o.transfers; i++) {
    const due = start + (i * 1000) / o.rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    if (o.kill > 0 && i === Math.floor(o.transfers / 2)) killed = killAndRestart(cluster, o);
    const from = Math.floor(random() * o.accounts);
    const to = (from + 1 + Math.floor(random() * (o.accounts - 1))) % o.accounts;
    const amount = 1 + Math.floor(random() * 100);
    const event = { type: 'START', from: accountId(from), to: accountId(to), amount } as const;
    sends.push(
      cluster.client.send(transfer.ref(`t-${o.seed}-${i}`), event).then(
        (receipt) => {
          accepted++;
          tracker.track(receipt.id);
        },
        (error: unknown) => {
          failed++;
          if (errors.length < 5) errors.push((error as Error).message);
        },
      ),
    );
  }
  await Promise.all(sends);
  return { accepted, failed, errors, killed };
}

async function killAndRestart(cluster: Cluster, o: WorkloadOptions): Promise<KillOutcome> {
  const index = o.kill - 1;
  const victim = cluster.nodes[index]!;
  const { stats } = await victim.stats();
  const at = await cluster.kill(index);
  o.note(`killed ${victim.nodeId} (SIGKILL, pid ${victim.pid}) owning partitions [${stats.partitions.join(',')}]`);
  const outcome: KillOutcome = { node: victim.nodeId, at, partitions: stats.partitions, takeoverMs: null, restarted: false };
  const survivors = cluster.nodes.filter((n) => n.running);
  const deadline = at + 15_000;
  while (Date.now() < deadline) {
    const owned = new Set((await Promise.all(survivors.map((n) => n.stats()))).flatMap((s) => s.stats.partitions));
    if (stats.partitions.every((p) => owned.has(p))) {
      outcome.takeoverMs = Date.now() - at;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  o.note(
    outcome.takeoverMs === null
      ? `its partitions were not all taken over within 15 s`
      : `its partitions were taken over by the survivors after ${outcome.takeoverMs} ms`,
  );
  // Give the survivors a moment on the taken-over partitions, then bring the node back.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await cluster.startNode(index);
  outcome.restarted = true;
  o.note(`restarted ${victim.nodeId} (same id, history appended)`);
  return outcome;
}

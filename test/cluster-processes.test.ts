/**
 * Three `causeway node` processes against a real nats-server, driven through their control
 * channels, judged from their merged histories by the test kit's checkers. The tests run in
 * order on one cluster: all-to-all traffic, a SIGKILL mid-run, a restart, a SIGSTOP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionOf } from '../index.ts';
import type { ChildNode } from '../cli/child-node.ts';
import { waitBalanced } from '../cli/demo-cluster.ts';
import { checkAll, formatReport } from '../testing/checkers/index.ts';
import { join } from 'node:path';
import { HistoryTail } from '../cli/history-tail.ts';
import type { CommitRecord, History } from '../testing/history.ts';
import { eventually } from './support/nats-server.ts';
import { startProcessCluster, type ProcessCluster } from './support/process-cluster.ts';

const PARTITIONS = 16;
const LEASE_MS = 1_000;
const ACCOUNTS = Array.from({ length: 24 }, (_, i) => `acc-${i}`);
const PER_NODE = 120; // 5 deposits per (node, account): per-sender order has something to keep

let cluster: ProcessCluster;
const node = (i: number): ChildNode => cluster.nodes[i]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const deposits = (count: number, accounts = ACCOUNTS, amount = 1) =>
  Array.from({ length: count }, (_, i) => ({ to: { type: 'account', id: accounts[i % accounts.length]! }, event: { type: 'DEPOSIT', amount } }));
const ownersOf = async (indexes: number[]) => new Set((await Promise.all(indexes.map((i) => node(i).stats()))).flatMap((s) => s.stats.partitions));

async function send(i: number, sends: ReturnType<typeof deposits>): Promise<string[]> {
  const result = await node(i).sendMany(sends);
  expect(result.errors).toEqual([]);
  return result.ids.filter((id): id is string => id !== null);
}

async function totalBalance(via: number): Promise<number> {
  const balances = await Promise.all(ACCOUNTS.map((id) => node(via).ask({ type: 'account', id }, { type: 'BALANCE' }, 20_000)));
  return balances.reduce((sum: number, b) => sum + (b as number), 0);
}

function checked(history: History) {
  const report = checkAll(history, { order: 'per-node' });
  return { summary: report.summary, details: formatReport(report) };
}

beforeAll(async () => {
  cluster = await startProcessCluster(3, PARTITIONS, LEASE_MS);
  await waitBalanced(cluster.nodes, PARTITIONS, 20_000);
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describe('a cluster of node processes', () => {
  it('processes events sent from every node to actors on every node once, in per-sender order', async () => {
    const ids = (await Promise.all([0, 1, 2].map((i) => send(i, deposits(PER_NODE))))).flat();
    expect(ids).toHaveLength(3 * PER_NODE);
    await cluster.settle(ids, 30_000);
    const history = await cluster.history();
    const { summary, details } = checked(history);
    expect(summary, details).toMatchObject({ lost: 0, duplicates: 0, fifoViolations: 0, causalViolations: 0, doubleActivations: 0 });
    // Every node both sent these events and committed some of them: the traffic really was all-to-all.
    const mine = new Set(ids);
    const committers = new Set(history.filter((r): r is CommitRecord => r.kind === 'commit' && r.accepted && r.appliedEvents.some((e) => mine.has(e))).map((r) => r.node));
    const senders = new Set(history.flatMap((r) => (r.kind === 'send' && mine.has(r.event) ? [r.from] : [])));
    expect([...committers].sort()).toEqual(['n1', 'n2', 'n3']);
    expect(senders.size).toBe(3);
    expect(await totalBalance(0)).toBe(3 * PER_NODE);
  });

  it('resumes a SIGKILLed node\'s partitions elsewhere, losing nothing and applying nothing twice', async () => {
    const before = await totalBalance(0);
    const victim = (await node(1).stats()).stats.partitions;
    expect(victim.length).toBeGreaterThan(0);
    const transfers = (from: number, batch: number) =>
      Array.from({ length: 40 }, (_, i) => {
        const a = (i * 7 + batch) % ACCOUNTS.length;
        const b = (a + 1 + ((i + batch) % (ACCOUNTS.length - 1))) % ACCOUNTS.length;
        return { to: { type: 'transfer', id: `t${from}-${batch}-${i}` }, event: { type: 'START', from: ACCOUNTS[a]!, to: ACCOUNTS[b]!, amount: 1 + (i % 3) } };
      });
    const roots: string[] = [];
    let killedAt = 0;
    for (let batch = 0; batch < 8; batch++) {
      roots.push(...(await Promise.all([0, 2].map((i) => send(i, transfers(i, batch))))).flat());
      if (batch === 3) killedAt = await cluster.kill(1);
      await sleep(150);
    }
    await eventually('the survivors own the killed node\'s partitions', async () => {
      const owned = await ownersOf([0, 2]);
      return victim.every((p) => owned.has(p));
    }, 15_000);
    await cluster.settle(roots, 45_000);
    const history = await cluster.history();
    const { summary, details } = checked(history);
    expect(summary, details).toMatchObject({ lost: 0, duplicates: 0, fifoViolations: 0, doubleActivations: 0, staleWrites: 0 });
    const resumed = new Set(history.flatMap((r) => (r.kind === 'commit' && r.accepted && r.node !== 'n2' && r.at > killedAt ? [r.partition] : [])));
    // Transfers sent after the kill reach every partition, so each of the victim's must have resumed.
    expect(victim.filter((p) => !resumed.has(p))).toEqual([]);
    expect(await totalBalance(0)).toBe(before);
  });

  it('rejoins a restarted node and hands it partitions again', async () => {
    const restartedAt = Date.now();
    await cluster.start(1);
    await eventually('the restarted node owns partitions', async () => (await node(1).stats()).stats.partitions.length > 0, 20_000);
    await waitBalanced(cluster.nodes, PARTITIONS, 20_000);
    // It processes them too: events to its actors are committed by it.
    const owned = (await node(1).stats()).stats.partitions;
    const targets = ACCOUNTS.filter((id) => owned.includes(partitionOf({ type: 'account', id }, PARTITIONS)));
    const ids = await send(0, deposits(30, targets.length > 0 ? targets : ACCOUNTS));
    await cluster.settle(ids, 20_000);
    const history = await cluster.history();
    expect(history.some((r) => r.kind === 'commit' && r.accepted && r.node === 'n2' && r.at > restartedAt)).toBe(true);
    expect(checked(history).summary).toMatchObject({ lost: 0, duplicates: 0, fifoViolations: 0 });
  });

  // Shared by the two SIGSTOP tests below.
  let paused: { history: History; stoppedAt: number; resumedAt: number } | undefined;

  it('fences a SIGSTOPped owner: after SIGCONT nothing it writes under its lost lease is accepted', async () => {
    const before = await totalBalance(0);
    const owned = (await node(2).stats()).stats.partitions;
    const targets = ACCOUNTS.filter((id) => owned.includes(partitionOf({ type: 'account', id }, PARTITIONS)));
    expect(targets.length).toBeGreaterThan(0);
    // Stop n3 while it is busy with a burst for its own actors, so it has turns and commits in
    // flight; then send more, which its open pull requests carry into its socket meanwhile.
    const t0 = Date.now();
    const n3 = new HistoryTail([join(cluster.dir, 'n3.jsonl')]);
    n3.poll();
    const burst = send(0, deposits(1500, targets));
    await eventually('n3 committing the burst', () => n3.poll().some((r) => r.kind === 'commit' && r.accepted && r.at > t0), 15_000, 5);
    await node(2).kill('SIGSTOP');
    const stoppedAt = Date.now();
    const more = send(1, deposits(300, targets));
    await eventually('the others own n3\'s partitions', async () => {
      const others = await ownersOf([0, 1]);
      return owned.every((p) => others.has(p));
    }, 15_000);
    await sleep(Math.max(0, stoppedAt + 3 * LEASE_MS - Date.now()));
    const resumedAt = Date.now();
    await node(2).kill('SIGCONT');
    const ids = [...(await burst), ...(await more), ...(await send(0, deposits(60, targets))), ...(await send(2, deposits(60, targets)))];
    await cluster.settle(ids, 45_000);
    const history = await cluster.history();
    paused = { history, stoppedAt, resumedAt };
    const { summary, details } = checked(history);
    expect(summary, details).toMatchObject({ lost: 0, duplicates: 0, fifoViolations: 0, doubleActivations: 0, staleWrites: 0 });
    expect(staleCommits(history, 'n3', stoppedAt, resumedAt)).toEqual([]);
    expect(await totalBalance(0)).toBe(before + 1500 + 300 + 120);
  });

  // After SIGCONT a node first runs the I/O that queued up while it was stopped (deliveries,
  // store replies) before any timer: without a lease check before each turn, its mailboxes
  // would take turns under the expired lease (seen: 256 turns in the first millisecond)
  // until the next lease round dropped the partitions.
  it('does not even process under the lost lease after SIGCONT', () => {
    expect(paused).toBeDefined();
    expect(staleTurns(paused!.history, 'n3', paused!.resumedAt)).toEqual([]);
  });
});

/**
 * Accepted commits `node` recorded after `resumedAt` under an epoch it held before the stop:
 * each must be the late report of a write the store had taken before the takeover, which
 * the next owner proves by finding it there (a `recovered` record of that very write).
 */
function staleCommits(history: History, node: string, stoppedAt: number, resumedAt: number): string[] {
  const oldEpochs = new Set(history.flatMap((r) => ((r.kind === 'start' || r.kind === 'commit') && r.node === node && r.at < stoppedAt ? [r.epoch] : [])));
  const identity = (r: CommitRecord) => `${r.epoch}\0${r.actor}\0${r.appliedEvents.join(',')}`;
  const found = new Set(history.flatMap((r) => (r.kind === 'commit' && r.recovered && r.node === node ? [identity(r)] : [])));
  return history
    .filter((r): r is CommitRecord => r.kind === 'commit' && r.accepted && !r.recovered && r.node === node && r.at >= resumedAt && oldEpochs.has(r.epoch))
    .filter((r) => !found.has(identity(r)))
    .map((r) => `commit of ${r.actor} under old epoch ${r.epoch} at +${r.at - resumedAt} ms: ${r.appliedEvents.length} events`);
}

/** Turns `node` started after `since` on an actor someone else had already processed under a higher epoch. */
function staleTurns(history: History, node: string, since: number): string[] {
  const stale: string[] = [];
  const actorEpoch = new Map<string, number>();
  for (const r of history) {
    if (r.kind !== 'start') continue;
    const high = actorEpoch.get(r.actor) ?? 0;
    if (r.node === node && r.at >= since && r.epoch < high) stale.push(`turn of ${r.actor} on '${r.event}' under epoch ${r.epoch} < ${high}`);
    if (r.node !== node) actorEpoch.set(r.actor, Math.max(high, r.epoch));
  }
  return stale;
}

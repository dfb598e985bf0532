/**
 * Activation from snapshot, and memory per active actor, on one node with the memory
 * transport. A first node gives N accounts state (one DEPOSIT each) and stops; then, per
 * round, a fresh node on the same memory cluster (every actor passivated, its record in the
 * store) gets one DEPOSIT per account: "cold", each event activates its actor (load the
 * record, decode, XState `createActor({ snapshot }).start()`) before the turn. A second
 * DEPOSIT to (up to 20k of) the now active accounts ("warm") measures the same path without
 * activation, so the difference is what activating costs. Baseline: XState `createActor(machine, { snapshot })
 * .start()` from the same persisted snapshots (decoded beforehand), plus the same DEPOSIT.
 *
 * Memory per active actor: heap (after a full GC) with the N actors active, minus the heap
 * after the node stopped (the store and log the memory cluster keeps stay in both), / N.
 *
 *   npx tsx bench/activation.bench.ts [--quick]
 */
import { createActor, type AnyActor } from 'xstate';
import { account, accountMachine } from '../examples/bank/actors.ts';
import { createNode, type Transport } from '../index.ts';
import { decodeRecord } from '../runtime/codec.ts';
import { createMemoryCluster, type MemoryCluster } from '../transport/memory/index.ts';
import { fmt, heapUsed, median, onCleanup, pipelined, progress, runCleanups, signal, within } from './harness.ts';
import type { ResultRow, ScenarioBody, ScenarioContext } from './result.ts';

const WINDOW = 1_000;
let nodes = 0;

/** Seeding passivates actors soon after their event, so a million never sit in memory at once. */
const SEED_IDLE_MS = 2_000;

async function startNode(transport: Transport, idleMs = 3_600_000) {
  const node = await createNode({ actors: [account], transport, nodeId: `act-${++nodes}`, idleMs });
  const off = onCleanup(() => node.stop());
  return {
    node,
    async stop() {
      await node.stop();
      off();
    },
  };
}

/** Warm events go to this many of the (all active) accounts: enough for a steady rate. */
const WARM_SAMPLE = 20_000;

/** One DEPOSIT to each of accounts `a0`…`a<n-1>` through `node`; seconds until all are processed. */
async function depositAll(node: Awaited<ReturnType<typeof startNode>>['node'], n: number): Promise<number> {
  let processed = 0;
  const all = signal();
  const sub = node.bus.subscribe('account.DEPOSIT', () => {
    if (++processed === n) all.resolve();
  });
  const t0 = performance.now();
  let last = { at: t0, processed: 0 };
  // Long runs say how they are doing (the rate falls as active actors pile up).
  const report = setInterval(() => {
    const now = performance.now();
    progress(`  ${fmt(processed)}/${fmt(n)} processed, ${fmt(((processed - last.processed) * 1000) / (now - last.at))}/s over the last ${((now - last.at) / 1000).toFixed(0)} s, ${fmt(node.stats().activeActors)} active`);
    last = { at: now, processed };
  }, 30_000);
  try {
    await pipelined(n, WINDOW, (i) => node.send(account.ref(`a${i}`), { type: 'DEPOSIT', amount: 1 }));
    await within(`${processed}/${n} deposits processed`, 1_800_000, all.promise);
    return (performance.now() - t0) / 1000;
  } finally {
    clearInterval(report);
    sub.unsubscribe();
  }
}

function snapshots(cluster: MemoryCluster, n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => {
    const data = cluster.stateStore.latest(`account/a${i}`);
    if (data === undefined) throw new Error(`no record for account/a${i}`);
    return decodeRecord(data).snapshot;
  });
}

interface Round {
  coldPerSec: number;
  warmPerSec: number;
  activationMicros: number;
  bytesPerActor: number;
  baselinePerSec: number;
  baselineBytesPerActor: number;
  recordBytes: number;
}

async function round(cluster: MemoryCluster, n: number): Promise<Round> {
  // Baseline: bare XState actors from the persisted snapshots.
  const snaps = snapshots(cluster, n);
  const recordBytes = cluster.stateStore.latest('account/a0')!.byteLength;
  const before = heapUsed();
  let actors: AnyActor[] = new Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const actor = createActor(accountMachine, { snapshot: snaps[i] as never }).start();
    actor.send({ type: 'DEPOSIT', amount: 1 });
    actors[i] = actor;
  }
  const baselineSeconds = (performance.now() - t0) / 1000;
  const baselineBytesPerActor = (heapUsed() - before) / n;
  for (const a of actors) a.stop();
  actors = [];
  snaps.length = 0;

  // Causeway: a restarted node activates every actor from its record.
  const { node, stop } = await startNode(cluster.transport());
  let stopped = false;
  try {
    const cold = await depositAll(node, n);
    const warmN = Math.min(n, WARM_SAMPLE);
    const warm = ((await depositAll(node, warmN)) * n) / warmN;
    const active = heapUsed();
    if (node.stats().activeActors < n) throw new Error(`only ${node.stats().activeActors}/${n} actors active`);
    await stop();
    stopped = true;
    const after = heapUsed();
    return {
      coldPerSec: n / cold,
      warmPerSec: n / warm,
      activationMicros: (cold - warm) * 1e6 / n,
      bytesPerActor: (active - after) / n,
      baselinePerSec: n / baselineSeconds,
      baselineBytesPerActor,
      recordBytes,
    };
  } finally {
    if (!stopped) await stop();
  }
}

async function size(n: number, rounds: number, label: string): Promise<{ row: ResultRow; detail: unknown }> {
  const cluster = createMemoryCluster({ mode: 'auto' });
  progress(`activation ${label}: giving ${fmt(n)} accounts state`);
  const seeder = await startNode(cluster.transport(), SEED_IDLE_MS);
  const seedSeconds = await depositAll(seeder.node, n);
  await seeder.stop();
  progress(`activation ${label}: seeded in ${seedSeconds.toFixed(1)} s; ${rounds} round(s)`);
  const rs: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    rs.push(await round(cluster, n));
    const x = rs.at(-1)!;
    progress(
      `activation ${label} round ${r + 1}/${rounds}: XState ${fmt(x.baselinePerSec)}/s (${fmt(x.baselineBytesPerActor)} B/actor) · ` +
        `causeway cold ${fmt(x.coldPerSec)}/s, warm ${fmt(x.warmPerSec)}/s, activation ≈ ${x.activationMicros.toFixed(1)} µs, ${fmt(x.bytesPerActor)} B/actor`,
    );
  }
  const m = (f: (r: Round) => number) => median(rs.map(f));
  const ours = m((r) => r.coldPerSec);
  const baseline = m((r) => r.baselinePerSec);
  return {
    row: {
      id: `activation/${label}`,
      label: `Activation from snapshot, ${label} actors (cold event; ${fmt(m((r) => r.bytesPerActor))} B/active actor vs XState ${fmt(m((r) => r.baselineBytesPerActor))} B)`,
      unit: 'activations/s',
      ours,
      baseline,
      ratio: ours / baseline,
      rounds: { ours: rs.map((r) => r.coldPerSec), baseline: rs.map((r) => r.baselinePerSec) },
    },
    detail: {
      n,
      seedSeconds,
      warmPerSec: m((r) => r.warmPerSec),
      activationMicros: m((r) => r.activationMicros),
      bytesPerActiveActor: m((r) => r.bytesPerActor),
      baselineBytesPerActor: m((r) => r.baselineBytesPerActor),
      recordBytes: rs.at(-1)!.recordBytes,
      rounds: rs,
    },
  };
}

export function activation(ctx: ScenarioContext): Promise<ScenarioBody> {
  return activationOf(ctx.mode === 'quick' ? [[10_000, 2, '10k'], [100_000, 1, '100k']] : [[100_000, 3, '100k']]);
}

/** The 1M-actor run on its own (about a quarter of an hour and ~10 GB of heap): `npm run bench -- --only activation-1m`. */
export function activationMillion(): Promise<ScenarioBody> {
  return activationOf([[1_000_000, 1, '1M']]);
}

async function activationOf(sizes: Array<[number, number, string]>): Promise<ScenarioBody> {
  const rows: ResultRow[] = [];
  const details: Record<string, unknown> = {};
  for (const [n, rounds, label] of sizes) {
    const { row, detail } = await size(n, rounds, label);
    rows.push(row);
    details[label] = detail;
  }
  return {
    title: `Activation from snapshot and memory per active actor, ${sizes.map((x) => x[2]).join(' and ')} actors (one node, memory transport)`,
    oursName: 'restarted node on the same memory cluster: one DEPOSIT per passivated account (load record → decode → createActor({ snapshot }) → turn → group commit)',
    baselineName: 'XState createActor(accountMachine, { snapshot }).start() + the same DEPOSIT, snapshots decoded beforehand',
    rows,
    details,
    notes: [
      'Causeway\'s cold rate includes the whole event path (send, log append, delivery, dedup, turn, group commit), not only the activation; "activation ≈ µs" in the details is cold minus warm time per actor, i.e. the cost activation adds.',
      'Memory per active actor is the heap released when the node stops (cell, mailbox, XState actor, in-memory record, idle timer), after a forced GC; the memory transport\'s own log and store (kept for tests) are excluded by construction.',
      'The memory transport keeps every log message and every record version for the tests\' sake, so the process heap grows by several GB at 1M actors and GC takes a larger share of the Causeway side than in a NATS-backed node.',
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  onCleanup(() => clearInterval(keepAlive));
  try {
    const r = await activation({ mode: process.argv.includes('--quick') ? 'quick' : 'full', previous: {} });
    console.log(JSON.stringify(r));
  } finally {
    await runCleanups();
  }
}

/**
 * Savina subset on one node (memory transport) against the same machines as bare XState
 * actors calling each other's `send`, alternating rounds in one process.
 *
 *   npx tsx bench/savina.bench.ts [--quick]
 */
import { alternate, progress } from './harness.ts';
import { rowOf, type ResultRow, type ScenarioBody, type ScenarioContext } from './result.ts';
import { big } from './savina/big.ts';
import { counting } from './savina/counting.ts';
import { forkJoin } from './savina/fork-join.ts';
import { pingPong } from './savina/ping-pong.ts';
import { runBare, runCauseway } from './savina/runners.ts';
import { threadRing } from './savina/thread-ring.ts';
import type { Workload } from './savina/workload.ts';

export function workloads(quick: boolean): Workload[] {
  return quick
    ? [pingPong(3_000), counting(20_000), threadRing(100, 5_000, '100'), threadRing(1_000, 5_000, '1k'), forkJoin(10_000), big(100, 50)]
    : [
        pingPong(10_000),
        counting(100_000),
        threadRing(100, 20_000, '100'),
        threadRing(1_000, 20_000, '1k'),
        threadRing(10_000, 30_000, '10k'),
        forkJoin(50_000),
        big(500, 100),
      ];
}

export async function savina(ctx: ScenarioContext): Promise<ScenarioBody> {
  const quick = ctx.mode === 'quick';
  const rounds = quick ? 2 : 3;
  const rows: ResultRow[] = [];
  const details: Record<string, unknown> = {};
  for (const w of workloads(quick)) {
    progress(`savina ${w.name} (${w.describe}), ${rounds} rounds`);
    // One untimed run of each warms the JIT for this workload's machines.
    await runBare(w);
    await runCauseway(w);
    const c = await alternate(`savina ${w.name}`, 'msgs/s', rounds, { name: 'causeway', run: () => runCauseway(w) }, { name: 'bare XState', run: () => runBare(w) });
    rows.push(rowOf(`savina/${w.name}`, `Savina ${w.name} (${w.describe})`, c));
    details[w.name] = { describe: w.describe, messages: w.messages, ...c };
  }
  const hop = (id: string) => rows.find((r) => r.id === id);
  const hops = ['savina/ping-pong', 'savina/thread-ring/100']
    .map(hop)
    .filter((r) => r !== undefined)
    .map((r) => `${r!.id.slice(7)} one hop every ${Math.round(1e6 / r!.ours)} µs (bare ${(1e6 / r!.baseline).toFixed(1)} µs)`);
  return {
    title: 'Savina subset, one node (memory transport)',
    oursName: 'createNode + defineActor (memory transport), completion seen on node.bus',
    baselineName: 'the same XState machines as bare actors in-process, calling each other\'s send',
    rows,
    details,
    notes: [
      'No goal is set for these rows in the issue; they show what a durable, deduplicated, HLC-stamped hop costs against a direct in-memory call.',
      'Bare actors nest send() up to depth 64, then queue (a direct nested send overflows the stack on a 1k ring).',
      `Ping-pong and the thread ring are sequential (one message in flight), so they measure the latency of one hop, not throughput: ${hops.join(', ')}. A hop is a turn that waits for its emitted event to be accepted by the log, a delivery, and the memory transport's scheduler tasks in between; the pipelined rows (counting, fork-join, big) show the throughput side.`,
      'Both runners create actors lazily on their first event; msgs/s counts every event processed (kicks and reports included), the same number on both sides.',
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await savina({ mode: process.argv.includes('--quick') ? 'quick' : 'full', previous: {} });
  console.log(JSON.stringify(r.rows.map((x) => ({ id: x.id, ours: Math.round(x.ours), baseline: Math.round(x.baseline), ratio: x.ratio }))));
}

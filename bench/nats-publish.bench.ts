/**
 * Append throughput: our `Log.append` against the raw nats.js `js.publish`, both pipelined
 * with the same 1k window, the same ~200-byte messages and a `Nats-Msg-Id` each, alternating
 * rounds against one fresh nats-server. Run: `npx tsx bench/nats-publish.bench.ts`.
 *
 * The baseline is the client as people use it (default connection options); a second
 * baseline with `noAsyncTraces` shows how much of the gain is that option alone. Also run by
 * `npm run bench` (scenario `nats-publish`).
 */
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { systemClock } from '../runtime/clock.ts';
import { realTimers } from '../runtime/timers.ts';
import type { Envelope } from '../runtime/types.ts';
import { natsTransport, startNatsServer } from '../transport/nats/index.ts';
import { alternate, machine, median, onCleanup, progress, runCleanups } from './harness.ts';
import type { ScenarioBody, ScenarioContext } from './result.ts';

const WINDOW = 1_000;
const DEFAULT_MESSAGES = Number(process.env.BENCH_MESSAGES ?? 30_000);
const PARTITIONS = 64;
const payload = new Uint8Array(200).fill(120);

/** Runs `send(0..n-1)` with at most `window` in flight; returns messages per second. */
async function pipelined(n: number, window: number, send: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  const lane = async (): Promise<void> => {
    while (next < n) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, n) }, lane));
  return n / ((performance.now() - start) / 1000);
}

function envelope(id: string, i: number): Envelope {
  return {
    id,
    type: 'Tick',
    to: { type: 'bench', id: String(i % 1000) },
    from: 'client/bench/1',
    seq: i + 1,
    hlc: '',
    payload: { type: 'Tick' },
    timings: { sent: 0 },
  };
}

export async function natsPublish(ctx: ScenarioContext, MESSAGES = DEFAULT_MESSAGES): Promise<ScenarioBody & { lines: string[] }> {
  const ROUNDS = ctx.mode === 'quick' ? 3 : 5;
  const server = await startNatsServer();
  onCleanup(() => server.stop());
  const session = await natsTransport({ servers: server.url, partitions: PARTITIONS, storage: 'file' }).connect({
    nodeId: 'bench',
    clock: systemClock,
    timers: realTimers,
  });
  onCleanup(() => session.close());
  const plain = await connect({ servers: server.url });
  const traced = jetstream(plain);
  const untraced = await connect({ servers: server.url, noAsyncTraces: true });
  onCleanup(async () => {
    await plain.close();
    await untraced.close();
  });
  const fast = jetstream(untraced);
  let round = 0;
  const raw = (js: JetStreamClient, tag: string) => async () => {
    const r = round++;
    return pipelined(MESSAGES, WINDOW, (i) =>
      js.publish(`causeway.p.${i % PARTITIONS}.bench`, payload, { msgID: `${tag}-${r}-${i}` }),
    );
  };
  const ours = async (): Promise<number> => {
    const r = round++;
    return pipelined(MESSAGES, WINDOW, (i) => session.log.append(i % PARTITIONS, envelope(`ours-${r}-${i}`, i), payload));
  };
  // Warm up both paths (JIT, file store) before measuring.
  progress(`nats-publish: ${MESSAGES} messages per round, ${ROUNDS} rounds`);
  await raw(traced, 'warm')();
  await ours();
  const result = await alternate(
    'nats-publish',
    'msg/s',
    ROUNDS,
    { name: 'Log.append (pipelined publisher)', run: ours },
    { name: 'js.publish', run: raw(traced, 'raw') },
  );
  const noTraces: number[] = [];
  for (let i = 0; i < ROUNDS; i++) noTraces.push(await raw(fast, 'fast')());
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const lines = [
    `messages/round ${MESSAGES}, window ${WINDOW}, payload ${payload.length} B, ${ROUNDS} rounds`,
    `js.publish (default options)    median ${fmt(result.baseline.median)} msg/s  ${result.baseline.rounds.map(fmt).join(' / ')}`,
    `js.publish (noAsyncTraces)      median ${fmt(median(noTraces))} msg/s  ${noTraces.map(fmt).join(' / ')}`,
    `Log.append                      median ${fmt(result.ours.median)} msg/s  ${result.ours.rounds.map(fmt).join(' / ')}`,
    `ratio ours / js.publish: ${result.ratio.toFixed(2)}x`,
  ];
  const GOAL = 2;
  return {
    title: 'Append throughput: Log.append vs js.publish',
    oursName: 'Log.append (pipelined publisher, one wildcard reply subscription)',
    baselineName: 'js.publish with default client options, same 1k window, msgID and 200 B payload',
    rows: [
      {
        id: 'nats-publish',
        label: `Append, pipelined 1k window (${MESSAGES} × ${payload.length} B)`,
        unit: 'msg/s',
        ours: result.ours.median,
        baseline: result.baseline.median,
        ratio: result.ratio,
        goal: '≥ 2× js.publish pipelined',
        met: result.ratio >= GOAL,
        rounds: { ours: result.ours.rounds, baseline: result.baseline.rounds },
      },
    ],
    details: { window: WINDOW, messages: MESSAGES, payloadBytes: payload.length, noAsyncTraces: { rounds: noTraces, median: median(noTraces), ratioOursToIt: result.ours.median / median(noTraces) } },
    notes: [`js.publish with noAsyncTraces: median ${fmt(median(noTraces))} msg/s (ratio against it ${(result.ours.median / median(noTraces)).toFixed(2)}×).`],
    lines,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  onCleanup(() => clearInterval(keepAlive));
  try {
    const r = await natsPublish({ mode: 'full', previous: {} });
    for (const line of r.lines) console.log(line);
    const row = r.rows[0]!;
    console.log(JSON.stringify({ scenario: 'nats-publish', unit: row.unit, ours: row.rounds?.ours, baseline: row.rounds?.baseline, ratio: row.ratio, goal: row.goal, extra: r.details, machine: machine() }));
  } finally {
    await runCleanups();
  }
}

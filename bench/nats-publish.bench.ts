/**
 * Append throughput: our `Log.append` against the raw nats.js `js.publish`, both pipelined
 * with the same 1k window, the same ~200-byte messages and a `Nats-Msg-Id` each, alternating
 * rounds against one fresh nats-server. Run: `npx tsx bench/nats-publish.bench.ts`.
 *
 * The baseline is the client as people use it (default connection options); a second
 * baseline with `noAsyncTraces` shows how much of the gain is that option alone.
 */
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { systemClock } from '../runtime/clock.ts';
import { realTimers } from '../runtime/timers.ts';
import type { Envelope } from '../runtime/types.ts';
import { natsTransport, startNatsServer } from '../transport/nats/index.ts';
import { alternate, machine, median } from './harness.ts';

const WINDOW = 1_000;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 30_000);
const ROUNDS = 3;
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

async function main(): Promise<void> {
  const server = await startNatsServer();
  try {
    const session = await natsTransport({ servers: server.url, partitions: PARTITIONS, storage: 'file' }).connect({
      nodeId: 'bench',
      clock: systemClock,
      timers: realTimers,
    });
    const plain = await connect({ servers: server.url });
    const traced = jetstream(plain);
    const untraced = await connect({ servers: server.url, noAsyncTraces: true });
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
    console.log(`messages/round ${MESSAGES}, window ${WINDOW}, payload ${payload.length} B, ${ROUNDS} rounds`);
    console.log(`js.publish (default options)    median ${fmt(result.baseline.median)} msg/s  ${result.baseline.rounds.map(fmt).join(' / ')}`);
    console.log(`js.publish (noAsyncTraces)      median ${fmt(median(noTraces))} msg/s  ${noTraces.map(fmt).join(' / ')}`);
    console.log(`Log.append                      median ${fmt(result.ours.median)} msg/s  ${result.ours.rounds.map(fmt).join(' / ')}`);
    console.log(`ratio ours / js.publish: ${result.ratio.toFixed(2)}x`);
    console.log(
      JSON.stringify({
        ...result,
        goal: '>= 2x js.publish pipelined',
        extra: { window: WINDOW, messages: MESSAGES, payloadBytes: payload.length, noAsyncTraces: { rounds: noTraces, median: median(noTraces) } },
        machine: machine(),
      }),
    );
    await session.close();
    await plain.close();
    await untraced.close();
  } finally {
    await server.stop();
  }
}

await main();

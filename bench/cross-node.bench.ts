/**
 * Cross-node throughput: three Causeway nodes (in this process, each with its own
 * `natsTransport` connection to our own nats-server) send DEPOSITs to 1 024 accounts spread
 * over all 64 partitions, each node pipelining with a 1k window, until every event is
 * processed; against raw nats.js on the same server in the same run: `js.publish` pipelined
 * with a 1k window + a callback `consume()` that acks, the same message count and size.
 *
 *   npx tsx bench/cross-node.bench.ts [--quick]
 */
import { account } from '../examples/bank/actors.ts';
import { fmt, median, onCleanup, pipelined, progress, runCleanups, signal, within } from './harness.ts';
import { ACTORS, envelopeBytes, startCluster, startServer, type BenchCluster } from './nats/cluster.ts';
import { rawClient, rawStream, type RawClient } from './nats/raw.ts';
import { profiled, summarize } from './profile.ts';
import type { ScenarioBody, ScenarioContext } from './result.ts';

const WINDOW = 1_000;
const GOAL = 2;

/** Causeway: `count` events from all nodes at once; events per second until all processed. */
export async function causewayRound(cluster: BenchCluster, count: number): Promise<number> {
  const { nodes } = cluster;
  let processed = 0;
  const all = signal();
  const subs = nodes.map((n) =>
    n.bus.subscribe('account.DEPOSIT', () => {
      if (++processed === count) all.resolve();
    }),
  );
  try {
    const t0 = performance.now();
    const share = Math.ceil(count / nodes.length);
    await Promise.all(
      nodes.map((node, k) => {
        const n = Math.min(share, count - k * share);
        return pipelined(n, WINDOW, (i) => node.send(account.ref(`a${(k * share + i) % ACTORS}`), { type: 'DEPOSIT', amount: 1 }));
      }),
    );
    await within(`causeway: ${processed}/${count} processed`, 120_000, all.promise);
    return count / ((performance.now() - t0) / 1000);
  } finally {
    for (const s of subs) s.unsubscribe();
  }
}

/** Raw: publish `count` messages of `bytes` and consume them all; messages per second. */
export async function rawRound(client: RawClient, count: number, bytes: number, tag: string): Promise<number> {
  const payload = new Uint8Array(bytes).fill(120);
  let consumed = 0;
  const all = signal();
  const stream = await rawStream(client, () => {
    if (++consumed === count) all.resolve();
  });
  try {
    const t0 = performance.now();
    await pipelined(count, WINDOW, (i) => client.js.publish(stream.subject(i), payload, { msgID: `${tag}-${i}` }));
    await within(`raw: ${consumed}/${count} consumed`, 120_000, all.promise);
    return count / ((performance.now() - t0) / 1000);
  } finally {
    await stream.close();
  }
}

export async function crossNode(ctx: ScenarioContext): Promise<ScenarioBody> {
  const quick = ctx.mode === 'quick';
  const count = quick ? 30_000 : 100_000;
  const rounds = quick ? 3 : 5;
  const server = await startServer();
  const cluster = await startCluster(server);
  const raw = await rawClient(server.url);
  const rawFast = await rawClient(server.url, true);
  const bytes = envelopeBytes();
  progress(`cross-node: ${count} events of ${bytes} B per round, ${rounds} rounds; warming up`);
  await rawRound(raw, Math.min(count, 20_000), bytes, 'warm');
  await causewayRound(cluster, Math.min(count, 20_000));
  const ours: number[] = [];
  const base: number[] = [];
  const fast: number[] = [];
  for (let r = 0; r < rounds; r++) {
    base.push(await rawRound(raw, count, bytes, `r${r}`));
    fast.push(await rawRound(rawFast, count, bytes, `f${r}`));
    ours.push(await causewayRound(cluster, count));
    progress(`cross-node round ${r + 1}/${rounds}: raw ${fmt(base.at(-1)!)} · raw noAsyncTraces ${fmt(fast.at(-1)!)} · causeway ${fmt(ours.at(-1)!)} msg/s`);
  }
  const ratio = median(ours) / median(base);
  // Diagnostics, not measured: how many KV writes an event costs, and a CPU profile.
  const stateStream = 'KV_bench-state';
  const seqBefore = (await raw.jsm.streams.info(stateStream)).state.last_seq;
  await causewayRound(cluster, count);
  const kvWritesPerEvent = ((await raw.jsm.streams.info(stateStream)).state.last_seq - seqBefore) / count;
  const { result: profiledRate, profile } = await profiled(() => causewayRound(cluster, Math.min(count, 50_000)), 500);
  progress(`cross-node: ${kvWritesPerEvent.toFixed(2)} KV writes per event; profiled round ${fmt(profiledRate)} events/s`);
  return {
    title: 'Cross-node throughput (3 nodes, NATS JetStream)',
    oursName: '3 Causeway nodes in one process (natsTransport each, own nats-server), node.send → processed',
    baselineName: 'raw nats.js: js.publish pipelined (1k window) + callback consume() with ack, same count and size',
    rows: [
      {
        id: 'cross-node',
        label: `Cross-node throughput, 3 nodes (${count} events of ${bytes} B)`,
        unit: 'events/s',
        ours: median(ours),
        baseline: median(base),
        ratio,
        goal: 'cross-node throughput vs raw nats.js JetStream pipelined publish + callback consume (goal ≥ 2×)',
        met: ratio >= GOAL,
        rounds: { ours, baseline: base },
      },
    ],
    details: {
      count,
      messageBytes: bytes,
      window: WINDOW,
      partitionsPerNode: cluster.owned,
      rawNoAsyncTraces: { rounds: fast, median: median(fast), ratioOursToIt: median(ours) / median(fast) },
      kvWritesPerEvent,
      profile: { eventsPerSec: profiledRate, summary: summarize(profile) },
    },
    notes: [
      'The three nodes share this process (one JS thread) and the machine\'s 2 cores with nats-server; each node has its own NATS connection and pipelines its own sends (1k window each).',
      'Per event Causeway does more than the baseline: encode + append (PubAck), consume, decode, HLC merge, dedup, an XState turn, a KV group commit of the actor record per partition batch, then the ack. The baseline only publishes, consumes and acks.',
      `Raw with noAsyncTraces (the option Causeway's own connections use): median ${fmt(median(fast))} msg/s; ratio against it ${(median(ours) / median(fast)).toFixed(2)}.`,
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  onCleanup(() => clearInterval(keepAlive));
  try {
    const r = await crossNode({ mode: process.argv.includes('--quick') ? 'quick' : 'full', previous: {} });
    console.log(JSON.stringify(r.rows[0]));
  } finally {
    await runCleanups();
  }
}

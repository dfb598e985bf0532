/**
 * Repro (not part of `npm run bench`): three in-process nodes on our own nats-server, an
 * open-loop burst above their capacity (default 22 000 DEPOSITs/s for 2.5 s), then a wait.
 * Seen in about half the runs on a 2-core machine: one node's partitions stop making
 * progress — every event was accepted (no send failed), but thousands are never processed
 * (not within 40 s, not after the 30 s ack wait either); the node's durable consumers show
 * `num_ack_pending` stuck at a few hundred, an ack floor that never moves, and no waiting pull
 * requests; no transport event (disconnect, lease loss) is reported. Under the same
 * overload, other runs lose every lease at once ("lease expired before it could be renewed")
 * and re-acquire them a second later.
 *
 *   npx tsx bench/repro/open-loop-stall.ts [rate]
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { account } from '../../examples/bank/actors.ts';
import { createNode, natsTransport } from '../../index.ts';
import { onCleanup, runCleanups, signal, waitFor } from '../harness.ts';
import { ACTORS, startServer } from '../nats/cluster.ts';
import { openLoop, schedule } from '../open-loop.ts';

const keepAlive = setInterval(() => undefined, 1 << 30);
onCleanup(() => clearInterval(keepAlive));
try {
  const server = await startServer();
  const t00 = performance.now();
  const events: string[] = [];
  const start = (i: number) =>
    createNode({
      actors: [account],
      nodeId: `b${i}`,
      idleMs: 600_000,
      transport: natsTransport({
        servers: server.url,
        namespace: 'bench',
        onEvent: (e) => void events.push(`${((performance.now() - t00) / 1000).toFixed(1)}s b${i} ${e.type}`),
      }),
    });
  const nodes: Array<Awaited<ReturnType<typeof start>>> = [];
  onCleanup(async () => {
    for (const n of nodes) await n.stop();
  });
  for (let i = 0; i < 3; i++) nodes.push(await start(i));
  await waitFor('partitions to settle', () => nodes.reduce((a, n) => a + n.stats().partitions.length, 0) === 64 && nodes.every((n) => n.stats().partitions.length > 0), 30_000, 100);
  await new Promise((r) => setTimeout(r, 3_000));
  events.length = 0;

  const intended = schedule(Number(process.argv[2] ?? 22_000), 2.5, 20);
  let done = 0;
  let failed = 0;
  const all = signal();
  const seen = new Uint8Array(intended.length);
  for (const n of nodes) {
    n.bus.subscribe('account.DEPOSIT', (e) => {
      if (seen[e.event.amount] === 1) return;
      seen[e.event.amount] = 1;
      if (++done === intended.length) all.resolve();
    });
  }
  await openLoop(intended, (i) => {
    nodes[i % 3]!.send(account.ref(`a${i % ACTORS}`), { type: 'DEPOSIT', amount: i }).catch(() => failed++);
  });
  await Promise.race([all.promise, new Promise((r) => setTimeout(r, 40_000))]);
  console.log(`processed ${done}/${intended.length}, send failures ${failed}`);
  console.log('partitions per node:', nodes.map((n) => `${n.id}: ${n.stats().partitions.join(',')}`).join(' | '));
  console.log('transport events:', events.length === 0 ? 'none' : events.join('; '));
  const nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  for await (const ci of jsm.consumers.list('bench')) {
    if (ci.num_pending > 0 || ci.num_ack_pending > 0) {
      console.log(`${ci.name}: pending ${ci.num_pending}, ack pending ${ci.num_ack_pending}, waiting pulls ${ci.num_waiting}, ack floor ${ci.ack_floor.stream_seq}, delivered ${ci.delivered.stream_seq}`);
    }
  }
  await nc.close();
} finally {
  await runCleanups();
}

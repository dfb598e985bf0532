/**
 * In-process delivery: events sent through a one-node Causeway (memory log, HLC, dedup,
 * group commit, XState) against bare XState `actor.send` on the same machine, alternating
 * in one process. Goal (issue 2/5): ratio ≥ 0.7. After the measured rounds, one more
 * Causeway round runs under the CPU profiler; its summary says where the time goes.
 *
 *   npx tsx bench/in-process.bench.ts [--quick]
 */
import { mkdirSync } from 'node:fs';
import { createActor } from 'xstate';
import { createNode, type Transport } from '../index.ts';
import { directTransport } from './direct-transport.ts';
import { account, accountMachine } from '../examples/bank/actors.ts';
import { alternate, fmt, pipelined, progress, signal, type Comparison } from './harness.ts';
import { allocationProfiled, profiled, saveProfile, summarize, summarizeAllocations } from './profile.ts';
import { rowOf, type ScenarioBody, type ScenarioContext } from './result.ts';

const GOAL = 0.7;

function bareRun(events: number, actors: number): () => Promise<number> {
  return async () => {
    const refs = Array.from({ length: actors }, () => createActor(accountMachine).start());
    const t0 = performance.now();
    for (let i = 0; i < events; i++) refs[i % actors]!.send({ type: 'DEPOSIT', amount: 1 });
    const ms = performance.now() - t0;
    for (const r of refs) r.stop();
    return events / (ms / 1000);
  };
}

function causewayRun(events: number, actors: number, transport?: () => Transport): () => Promise<number> {
  return async () => {
    const node = await createNode({ actors: [account], nodeId: 'bench', idleMs: 600_000, ...(transport ? { transport: transport(), hlcStartupWaitMs: 0 } : {}) });
    try {
      let processed = 0;
      const all = signal();
      node.bus.subscribe('account.DEPOSIT', () => {
        if (++processed === events) all.resolve();
      });
      const t0 = performance.now();
      await pipelined(events, 1000, (i) => node.send(account.ref(`a${i % actors}`), { type: 'DEPOSIT', amount: 1 }));
      await all.promise;
      return events / ((performance.now() - t0) / 1000);
    } finally {
      await node.stop();
    }
  };
}

export async function inProcessDelivery(opts: { events: number; actors: number; rounds: number }): Promise<Comparison> {
  const { events, actors, rounds } = opts;
  const result = await alternate(
    'in-process delivery',
    'events/s',
    rounds,
    { name: 'causeway node.send → processed (memory log)', run: causewayRun(events, actors) },
    { name: 'bare XState actor.send', run: bareRun(events, actors) },
  );
  return { ...result, goal: 'ratio ≥ 0.7', extra: { events, actors } };
}

export async function inProcess(ctx: ScenarioContext): Promise<ScenarioBody> {
  const quick = ctx.mode === 'quick';
  const events = quick ? 15_000 : 100_000;
  const actors = 100;
  const rounds = quick ? 3 : 5;
  progress(`in-process: ${events} events over ${actors} actors, ${rounds} rounds (+1 warm-up, +1 profiled)`);
  await bareRun(events, actors)();
  await causewayRun(Math.min(events, 30_000), actors)();
  const c = await inProcessDelivery({ events, actors, rounds });
  progress('in-process: the same on a zero-cost log (bench/direct-transport.ts), to split runtime from memory transport');
  await causewayRun(Math.min(events, 30_000), actors, directTransport)();
  const direct = await alternate(
    'in-process, runtime only',
    'events/s',
    rounds,
    { name: 'causeway node.send → processed (zero-cost bench log)', run: causewayRun(events, actors, directTransport) },
    { name: 'bare XState actor.send', run: bareRun(events, actors) },
  );
  const { result: profiledRate, profile } = await profiled(causewayRun(events, actors));
  const directProfile = await profiled(causewayRun(events, actors, directTransport));
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
  const profilePath = new URL('./out/in-process.cpuprofile', import.meta.url);
  saveProfile(profilePath.pathname, profile);
  const summary = summarize(profile);
  const { result: allocRate, head } = await allocationProfiled(causewayRun(events, actors));
  const allocations = summarizeAllocations(head);
  const bare = await allocationProfiled(bareRun(events, actors));
  const directAlloc = await allocationProfiled(causewayRun(events, actors, directTransport));
  const directAllocations = summarizeAllocations(directAlloc.head);
  const bareAllocations = summarizeAllocations(bare.head);
  progress(`in-process: allocation-sampled round ${fmt(allocRate)} events/s; ${fmt((allocations.totalMB * 2 ** 20) / events)} B allocated per event`);
  progress(`in-process: profiled round ${fmt(profiledRate)} events/s; top modules ${summary.byModule.slice(0, 5).map((m) => `${m.name} ${m.percent}%`).join(', ')}`);
  return {
    title: 'In-process delivery (one node, memory transport)',
    oursName: c.ours.name,
    baselineName: c.baseline.name,
    rows: [
      rowOf('in-process', `In-process delivery (${events} events, ${actors} actors)`, c, { text: 'ratio ≥ 0.7', min: GOAL }),
      rowOf('in-process/runtime-only', 'In-process, diagnostic: the runtime on a zero-cost log (no memory transport)', direct),
    ],
    details: { events, actors, comparison: c, profile: { file: 'bench/out/in-process.cpuprofile', eventsPerSecUnderProfiler: profiledRate, summary }, allocations: { bytesPerEvent: (allocations.totalMB * 2 ** 20) / events, ...allocations }, bareAllocations: { bytesPerEvent: (bareAllocations.totalMB * 2 ** 20) / events, ...bareAllocations }, direct: { comparison: direct, profile: summarize(directProfile.profile), eventsPerSecUnderProfiler: directProfile.result, allocations: { bytesPerEvent: (directAllocations.totalMB * 2 ** 20) / events, ...directAllocations } } },
    notes: [
      'The diagnostic row runs the same node on bench/direct-transport.ts: appends go to an array and reach the partition in a microtask batch, records to a map; no scheduler, no copies, no faults. It is not durable: it only shows what the runtime and XState cost without the memory transport.',
      'The bare baseline is a synchronous loop of actor.send on 100 started actors; Causeway\'s rate is from the first send to the last processed event seen on node.bus, pipelined with a 1k window.',
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await inProcess({ mode: process.argv.includes('--quick') ? 'quick' : 'full', previous: {} });
  console.log(JSON.stringify(r));
}

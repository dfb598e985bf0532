/**
 * In-process delivery: events sent through a one-node Causeway (memory log, HLC, dedup,
 * group commit, XState) against bare XState `actor.send` on the same machine, alternating
 * in one process. Goal (issue 2/5): ratio ≥ 0.7.
 */
import { createActor } from 'xstate';
import { createNode } from '../index.ts';
import { account, accountMachine } from '../examples/bank/actors.ts';
import { alternate, pipelined, type Comparison } from './harness.ts';

export async function inProcessDelivery(opts: { events: number; actors: number; rounds: number }): Promise<Comparison> {
  const { events, actors, rounds } = opts;

  async function bare(): Promise<number> {
    const refs = Array.from({ length: actors }, () => createActor(accountMachine).start());
    const t0 = performance.now();
    for (let i = 0; i < events; i++) refs[i % actors]!.send({ type: 'DEPOSIT', amount: 1 });
    const ms = performance.now() - t0;
    for (const r of refs) r.stop();
    return events / (ms / 1000);
  }

  async function causeway(): Promise<number> {
    const node = await createNode({ actors: [account], nodeId: 'bench', idleMs: 600_000 });
    let processed = 0;
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    node.bus.subscribe('account.DEPOSIT', () => {
      if (++processed === events) done();
    });
    const t0 = performance.now();
    await pipelined(events, 1000, (i) => node.send(account.ref(`a${i % actors}`), { type: 'DEPOSIT', amount: 1 }));
    await all;
    const ms = performance.now() - t0;
    await node.stop();
    return events / (ms / 1000);
  }

  const result = await alternate(
    'in-process delivery',
    'events/s',
    rounds,
    { name: 'causeway node.send → processed (memory log)', run: causeway },
    { name: 'bare XState actor.send', run: bare },
  );
  return { ...result, goal: 'ratio ≥ 0.7', extra: { events, actors } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await inProcessDelivery({ events: 50_000, actors: 100, rounds: 3 });
  console.log(JSON.stringify(r));
}

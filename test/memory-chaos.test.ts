/**
 * A property over whole simulated clusters: nodes that consume, commit under their epoch and
 * ack (as the runtime does) while the simulator crashes, pauses, restarts and moves things,
 * with log faults on. Fencing must keep stale owners' commits out, first deliveries must stay
 * in log order, and once the faults stop everything appended must be committed and acked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotAcceptedError, StaleEpochError } from '../runtime/errors.ts';
import type { Delivery, TransportSession } from '../runtime/types.ts';
import type { MemoryCluster } from '../transport/memory/index.ts';
import { bytes, envelope, simCluster, text } from './memory-harness.ts';

const P = 6;
const IDS = ['n1', 'n2', 'n3'];

/**
 * A node that applies each message once, as the runtime does: the record `p<partition>`
 * holds the highest applied seq; a message is committed (fenced by the epoch), then acked;
 * anything at or below the applied seq is only acked.
 */
async function start(cluster: MemoryCluster, id: string, firsts: number[][]): Promise<TransportSession> {
  const session = await cluster.transport().connect(cluster.nodeInfo(id));
  const parts = new Map<number, { live: boolean; drain: () => Promise<void> }>();
  void session.ownership.start({
    acquire: async (p, epoch) => {
      const part = { live: true, drain: async () => {} };
      parts.set(p, part);
      const key = `p${p}`;
      const record = await session.state.load(key);
      let applied = record === undefined ? 0 : Number(text(record));
      const after = await session.log.ackFloor(p);
      // Like the runtime, look again after every wait: the partition may be gone already.
      if (!part.live) return;
      const seen: number[] = [];
      firsts.push(seen);
      let chain = Promise.resolve();
      const apply = async (d: Delivery) => {
        if (!part.live) return;
        if (d.seq <= applied) return d.ack();
        try {
          await session.state.commit(p, epoch, [{ key, data: bytes(String(d.seq)) }]);
          applied = d.seq;
          d.ack();
        } catch (error) {
          if (error instanceof StaleEpochError) part.live = false;
        }
      };
      const sub = await session.log.subscribe(p, after, (d) => {
        if (!seen.includes(d.seq)) seen.push(d.seq);
        chain = chain.then(() => apply(d));
      });
      part.drain = async () => {
        await chain;
        await sub.stop();
      };
      if (!part.live) await sub.stop();
    },
    release: async (p) => {
      const part = parts.get(p);
      await part?.drain();
      if (part) part.live = false;
    },
    lost: (p) => {
      const part = parts.get(p);
      if (part) part.live = false;
      void part?.drain();
    },
  });
  return session;
}

type Op = {
  kind: 'crash' | 'pause' | 'resume' | 'restart' | 'move' | 'append';
  node: number;
  p: number;
  /** Messages appended by an `append`. */
  count: number;
  /** What to run after the op: `steps` tasks (mid-flight), or `ms` of virtual time. */
  wait: { steps: number } | { ms: number };
};

const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('crash', 'pause', 'pause', 'resume', 'restart', 'move', 'append', 'append', 'append'),
  node: fc.nat(2),
  p: fc.nat(P - 1),
  count: fc.integer({ min: 1, max: 8 }),
  wait: fc.oneof(
    fc.record({ steps: fc.integer({ min: 0, max: 30 }) }),
    fc.record({ ms: fc.integer({ min: 0, max: 1500 }) }),
  ),
});

/** Runs `ops` against a fresh cluster, heals it, and checks the invariants. */
async function chaos(seed: number, dup: number, drop: number, delay: number, pub: number, ops: readonly Op[]): Promise<void> {
  const faults = { duplicateRate: dup, dropAckRate: drop, delayRate: delay, publishFailureRate: pub, publishAckLossRate: pub };
  const cluster = simCluster({ seed, partitions: P, faults, ackWaitMs: 400, leaseMs: 1000 });
  const { scheduler } = cluster;
  // CHAOS_DEBUG=1 prints the run's trace (replay a failure with the seed fast-check prints).
  if (process.env.CHAOS_DEBUG) {
    cluster.ownership.onEvent((e) => console.log(scheduler.now(), JSON.stringify(e)));
    scheduler.onTask((label, t) => console.log(t, label));
  }
  const firsts: number[][] = [];
  const sessions = new Map<string, TransportSession>();
  for (const id of IDS) sessions.set(id, await start(cluster, id, firsts));
  const pending: Promise<unknown>[] = [];
  let n = 0;
  for (const { kind, node, p, count, wait } of ops) {
    const id = IDS[node]!;
    const state = cluster.nodeState(id);
    if (kind === 'crash' && state !== 'crashed') cluster.crash(id);
    if (kind === 'pause' && state === 'up') cluster.pause(id);
    if (kind === 'resume' && (state === 'paused' || state === 'expired')) cluster.resume(id);
    if (kind === 'restart' && state === 'crashed') sessions.set(id, await start(cluster, id, firsts));
    if (kind === 'move' && cluster.ownership.members().includes(id)) pending.push(cluster.movePartition(p, id));
    if (kind === 'append') {
      // Appended by a client that stays up, retried until accepted.
      const client = sessions.get('client') ?? (await cluster.transport().connect(cluster.nodeInfo('client')));
      sessions.set('client', client);
      for (let i = 0; i < count; i++) {
        const eventId = `e${n++}`;
        const send = async (): Promise<unknown> =>
          client.log.append((p + (i % 2)) % P, envelope(eventId), bytes(eventId)).catch((e) => {
            if (e instanceof NotAcceptedError) return send();
            throw e;
          });
        pending.push(send());
      }
    }
    if ('ms' in wait) await scheduler.runFor(wait.ms);
    else await scheduler.runUntilIdle({ maxSteps: wait.steps });
  }
  for (const id of IDS) {
    const state = cluster.nodeState(id);
    if (state === 'paused' || state === 'expired') cluster.resume(id);
    if (state === 'crashed') sessions.set(id, await start(cluster, id, firsts));
  }
  cluster.setFaults({ duplicateRate: 0, dropAckRate: 0, delayRate: 0, publishFailureRate: 0, publishAckLossRate: 0 });
  await scheduler.drive(Promise.all(pending));
  expect((await scheduler.runUntilIdle({ maxSteps: 100_000 })).idle).toBe(true);

  for (const seen of firsts) expect(seen).toEqual([...seen].sort((a, b) => a - b));
  for (let p = 0; p < P; p++) {
    const epochs = cluster.stateStore.history(`p${p}`).map((v) => v.epoch);
    expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
    const last = cluster.log.messages(p).at(-1)?.seq;
    const latest = cluster.stateStore.latest(`p${p}`);
    expect(latest === undefined ? undefined : Number(text(latest))).toBe(last);
    expect(cluster.log.ackFloor(p)).toBe(last ?? 0);
  }
}

describe('simulated cluster under chaos', () => {
  it('fences stale owners, keeps delivery order, and loses nothing', async () => {
    const rate = fc.double({ min: 0, max: 0.3, noNaN: true });
    const ops = fc.array(op, { minLength: 5, maxLength: 60, size: 'medium' });
    await fc.assert(fc.asyncProperty(fc.integer(), rate, rate, rate, rate, ops, chaos), { numRuns: 120 });
  });
});

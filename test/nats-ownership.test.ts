/**
 * Partition ownership over NATS KV: members split partitions by rendezvous hashing, a joiner
 * takes only its share (drained by the old owner first), and a node that dies or pauses
 * loses its partitions to the others and is fenced. Several sessions live in one process
 * here; each is a node with its own connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaleEpochError } from '../runtime/errors.ts';
import { partitionsOf } from '../runtime/placement.ts';
import type { OwnershipHandlers } from '../runtime/types.ts';
import { natsTransport, type NatsSession, type NatsTransportEvent } from '../transport/nats/index.ts';
import { eventually, PausableTimers, startNatsServer, testNode, type NatsServer } from './support/nats-server.ts';

const PARTITIONS = 12;
const TIMING = { heartbeatMs: 100, deadAfterMs: 400, leaseMs: 500, leaseRenewMs: 150 };

let server: NatsServer;
let nsCounter = 0;
const sessions: NatsSession[] = [];

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await Promise.allSettled(sessions.map((s) => s.close()));
  await server?.stop();
});

/** One node: its session and what its ownership handlers were told, in order. */
interface TestNode {
  readonly id: string;
  readonly session: NatsSession;
  readonly owned: Map<number, number>;
  readonly log: string[];
  readonly events: NatsTransportEvent[];
  readonly timers: PausableTimers;
}

async function node(namespace: string, id: string, journal: string[], acquireMs = 0): Promise<TestNode> {
  const events: NatsTransportEvent[] = [];
  const timers = new PausableTimers();
  const session = await natsTransport({
    servers: server.url,
    namespace,
    partitions: PARTITIONS,
    ...TIMING,
    onEvent: (e) => events.push(e),
  }).connect(testNode(id, timers));
  sessions.push(session);
  const owned = new Map<number, number>();
  const log: string[] = [];
  const handlers: OwnershipHandlers = {
    acquire: async (p, epoch) => {
      if (acquireMs > 0) await new Promise((resolve) => setTimeout(resolve, acquireMs));
      owned.set(p, epoch);
      journal.push(`${id} acquire ${p}`);
    },
    release: async (p) => {
      journal.push(`${id} release ${p}`);
      await new Promise((resolve) => setTimeout(resolve, 30)); // a drain takes a moment
      owned.delete(p);
      journal.push(`${id} released ${p}`);
    },
    lost: (p) => {
      owned.delete(p);
      log.push(`lost ${p}`);
    },
  };
  await session.ownership.start(handlers);
  return { id, session, owned, log, events, timers };
}

const sorted = (m: ReadonlyMap<number, number>): number[] => [...m.keys()].sort((a, b) => a - b);

function settled(nodes: TestNode[], members: string[]): boolean {
  return nodes.every((n) => {
    const want = members.includes(n.id) ? partitionsOf(n.id, members, PARTITIONS) : [];
    return JSON.stringify(sorted(n.owned)) === JSON.stringify(want);
  });
}

describe('nats ownership', () => {
  it('splits partitions by rendezvous; a joiner takes only its share, drained first', async () => {
    const ns = `own${++nsCounter}`;
    const journal: string[] = [];
    const a = await node(ns, 'node-a', journal);
    const b = await node(ns, 'node-b', journal);
    await eventually('a and b settled', () => settled([a, b], ['node-a', 'node-b']));
    const before = new Map([...a.owned, ...b.owned]);
    expect(before.size).toBe(PARTITIONS);

    const c = await node(ns, 'node-c', journal);
    const members = ['node-a', 'node-b', 'node-c'];
    await eventually('a, b and c settled', () => settled([a, b, c], members));
    const moved = partitionsOf('node-c', members, PARTITIONS);
    expect(moved.length).toBeGreaterThan(0);
    // Partitions that stayed kept their owner and epoch: nothing moved needlessly.
    for (const n of [a, b]) {
      for (const [p, epoch] of n.owned) expect(before.get(p)).toBe(epoch);
    }
    // Every moved partition was drained by its old owner before the new one acquired it.
    for (const p of moved) {
      const released = journal.findIndex((line) => line.endsWith(`released ${p}`));
      const acquired = journal.indexOf(`node-c acquire ${p}`);
      expect(released).toBeGreaterThanOrEqual(0);
      expect(acquired).toBeGreaterThan(released);
      expect(c.owned.get(p)).toBeGreaterThan(before.get(p)!);
    }
    expect([a, b, c].every((n) => n.log.length === 0)).toBe(true);
  });

  it('moves the partitions of a node whose heartbeats stop to the others', async () => {
    const ns = `own${++nsCounter}`;
    const journal: string[] = [];
    const a = await node(ns, 'node-a', journal);
    const b = await node(ns, 'node-b', journal);
    const c = await node(ns, 'node-c', journal);
    await eventually('all settled', () => settled([a, b, c], ['node-a', 'node-b', 'node-c']));
    const lostOnes = sorted(c.owned);

    const t0 = Date.now();
    await c.session.connection.nc.close(); // abruptly: no leave, no release
    const bound = TIMING.deadAfterMs + TIMING.leaseMs + 2 * TIMING.leaseRenewMs;
    await eventually('a and b own everything', () => settled([a, b], ['node-a', 'node-b']), bound + 2_000);
    const took = Date.now() - t0;
    expect(took).toBeLessThan(bound + 1_000);
    // c found out by itself: its leases aged out and it dropped them without a drain.
    await eventually('c lost its partitions', () => c.owned.size === 0 && c.log.length === lostOnes.length, 2_000);
    expect(c.log.sort()).toEqual(lostOnes.map((p) => `lost ${p}`).sort());
  });

  it('fences a paused node: it loses its leases on waking and its commits are refused', async () => {
    const ns = `own${++nsCounter}`;
    const journal: string[] = [];
    const a = await node(ns, 'node-a', journal);
    const b = await node(ns, 'node-b', journal);
    await eventually('a and b settled', () => settled([a, b], ['node-a', 'node-b']));
    const bHeld = new Map(b.owned);
    const [p, epoch] = [...bHeld][0]!;

    b.timers.pause(); // like SIGSTOP: no heartbeats, no renewals
    await eventually('a took over', () => settled([a], ['node-a']), 5_000);
    expect(a.owned.get(p)).toBeGreaterThan(epoch);
    await a.session.state.commit(p, a.owned.get(p)!, [{ key: 'account/x', data: new Uint8Array([2]) }]);

    // Woken up, b's first act is a commit with its old epoch: refused.
    const write = b.session.state.commit(p, epoch, [{ key: 'account/x', data: new Uint8Array([1]) }]);
    await expect(write).rejects.toBeInstanceOf(StaleEpochError);
    b.timers.resume();
    const lostAll = [...bHeld.keys()].map((q) => `lost ${q}`).sort();
    await eventually('b lost what it held', () => JSON.stringify([...b.log].sort()) === JSON.stringify(lostAll), 2_000);
    // Heartbeating again, b is a member again and gets its share back, under new epochs.
    await eventually('a and b settled again', () => settled([a, b], ['node-a', 'node-b']), 5_000);
    for (const [q, e] of b.owned) expect(e).toBeGreaterThan(bHeld.get(q)!);
  });

  it('keeps renewing while a slow acquire handler runs', async () => {
    const ns = `own${++nsCounter}`;
    const slow = await node(ns, 'node-slow', [], 3 * TIMING.leaseMs);
    const other = await node(ns, 'node-other', []);
    await eventually('split', () => settled([slow, other], ['node-other', 'node-slow']), 5_000);
    // The takeover of the other's partitions happens in a renewal round, and each acquire
    // takes longer than a lease lives: the slow node's own leases must not lapse meanwhile.
    await other.session.connection.nc.close();
    await eventually('slow owns everything', () => slow.owned.size === PARTITIONS, 8_000);
    expect(slow.log).toEqual([]);
    expect(slow.session.ownership.held().size).toBe(PARTITIONS);
  });
});

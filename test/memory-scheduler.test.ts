/**
 * The simulator's scheduler and clocks, determinism of whole runs, and auto (real-time)
 * mode through `memoryTransport()`.
 */
import { describe, expect, it } from 'vitest';
import { NotAcceptedError } from '../runtime/errors.ts';
import type { Delivery, NodeInfo } from '../runtime/types.ts';
import { createMemoryCluster, memoryTransport, Rng, SimScheduler } from '../transport/memory/index.ts';
import { bytes, envelope, joinNode, simCluster, text } from './memory-harness.ts';

describe('Rng', () => {
  it('is reproducible from its seed and stays in range', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 100 }, () => a.int(7));
    expect(xs).toEqual(Array.from({ length: 100 }, () => b.int(7)));
    expect(xs.every((x) => x >= 0 && x < 7)).toBe(true);
    expect(new Set(xs).size).toBe(7);
    expect(new Rng(1).fork().next()).not.toBe(new Rng(2).fork().next());
    expect(a.chance(0)).toBe(false);
    expect(a.chance(1)).toBe(true);
  });
});

describe('SimScheduler', () => {
  it('runs due tasks in a seeded random order and moves virtual time only when idle', async () => {
    const order = (seed: number) => {
      const s = new SimScheduler({ rng: new Rng(seed), epochMs: 1000 });
      const ran: string[] = [];
      for (const label of ['a', 'b', 'c', 'd', 'e']) s.schedule(label, () => ran.push(label));
      s.schedule('late', () => ran.push(`late@${s.now()}`), { delayMs: 50 });
      while (s.step());
      return ran;
    };
    expect(order(1)).toEqual(order(1));
    expect(order(1).at(-1)).toBe('late@1050');
    const orders = new Set([1, 2, 3, 4, 5, 6].map((seed) => order(seed).join()));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('holds a paused node’s tasks and timers, and drops a crashed node’s', async () => {
    const s = new SimScheduler({ epochMs: 0 });
    const ran: string[] = [];
    s.timersFor('n1').setTimer(10, () => ran.push('n1 timer'));
    s.schedule('n2 task', () => ran.push('n2 task'), { node: 'n2' });
    s.pauseNode('n1');
    const cancel = s.setTimer(5, () => ran.push('cancelled'));
    cancel();
    expect(await s.runUntilIdle({ untilTime: 100 })).toMatchObject({ idle: true, time: 100 });
    expect(ran).toEqual(['n2 task']);
    expect(s.pending()).toBe(1);
    s.resumeNode('n1');
    await s.runUntilIdle();
    expect(ran).toEqual(['n2 task', 'n1 timer']);
    s.timersFor('n2').setTimer(1, () => ran.push('never'));
    s.crashNode('n2');
    s.schedule('refused', () => ran.push('refused'), { node: 'n2' });
    await s.runUntilIdle();
    expect(ran).toHaveLength(2);
    expect(s.pending()).toBe(0);
  });

  it('gives each node a skewed clock that can jump and stall', async () => {
    const s = new SimScheduler({ epochMs: 1_000_000 });
    const c = s.clockFor('n1', -200);
    expect(s.clockFor('n1')).toBe(c);
    expect(c.now()).toBe(999_800);
    expect(c.micros()).toBe(999_800_000);
    c.jump(-500);
    expect(c.now()).toBe(999_300);
    c.freeze();
    await s.runFor(1000);
    expect(c.now()).toBe(999_300);
    c.unfreeze();
    expect(c.now()).toBe(1_000_300);
  });
});

/** A cluster run with faults, a crash and a pause; returns its trace. */
async function scenario(seed: number): Promise<string[]> {
  const faults = { duplicateRate: 0.2, dropAckRate: 0.2, delayRate: 0.2, publishFailureRate: 0.1 };
  const cluster = simCluster({ seed, partitions: 8, faults, ackWaitMs: 500 });
  const trace: string[] = [];
  cluster.scheduler.onTask((label, time) => trace.push(`${time} ${label}`));
  const nodes = [await joinNode(cluster, 'n1'), await joinNode(cluster, 'n2'), await joinNode(cluster, 'n3')];
  const send = async (i: number) => {
    for (;;) {
      try {
        return await nodes[i % 3]!.session.log.append(i % 8, envelope(`e${i}`), bytes(`e${i}`));
      } catch (error) {
        if (!(error instanceof NotAcceptedError) || i % 3 === 1) return undefined;
      }
    }
  };
  const sent = Promise.all(Array.from({ length: 40 }, (_, i) => send(i)));
  await cluster.scheduler.runFor(30);
  cluster.crash('n2');
  cluster.pause('n3');
  await cluster.scheduler.runFor(5000);
  cluster.resume('n3');
  await cluster.scheduler.drive(sent);
  await cluster.scheduler.runUntilIdle({ maxSteps: 50_000 });
  for (const node of nodes) for (const d of node.deliveries) trace.push(`${node.id} p${d.partition} s${d.seq} #${d.attempt}`);
  return trace;
}

describe('determinism', () => {
  it('reproduces a run exactly from its seed, and other seeds interleave differently', async () => {
    const first = await scenario(7);
    expect(first.length).toBeGreaterThan(100);
    expect(await scenario(7)).toEqual(first);
    expect(await scenario(8)).not.toEqual(first);
  });
});

describe('auto mode', () => {
  const realNode = (nodeId: string): NodeInfo => ({
    nodeId,
    clock: { now: () => Date.now(), micros: () => Date.now() * 1000 },
    timers: {
      setTimer: (ms, fn) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
    },
  });

  it('runs by itself in real time: ownership, delivery, redelivery after ackWait', async () => {
    const transport = memoryTransport({ partitions: 4, ackWaitMs: 50 });
    expect(transport.kind).toBe('memory');
    const session = await transport.connect(realNode('solo'));
    const got: Delivery[] = [];
    const second = new Promise<void>((resolve) => {
      const acquired: number[] = [];
      void session.ownership.start({
        acquire: async (p) => {
          acquired.push(p);
          await session.log.subscribe(p, await session.log.ackFloor(p), (d) => {
            got.push(d);
            if (d.attempt === 2) {
              d.ack();
              resolve();
            }
          });
        },
        release: async () => {},
        lost: () => {},
      });
    });
    const ack = await session.log.append(2, envelope('hello'), bytes('hello'));
    expect(ack).toEqual({ partition: 2, seq: 1, duplicate: false });
    const started = Date.now();
    await second;
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(got.map((d) => [text(d.data), d.attempt])).toEqual([
      ['hello', 1],
      ['hello', 2],
    ]);
    await session.close();
  });

  it('leaves nothing scheduled once every node has closed', async () => {
    const cluster = createMemoryCluster({ partitions: 4, ackWaitMs: 60_000 });
    const node = await joinNode(cluster, 'a');
    node.autoAck = false;
    await node.session.log.append(0, envelope('x'), bytes('x'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(node.deliveries).toHaveLength(1);
    await node.session.close();
    expect(cluster.ownership.members()).toEqual([]);
    expect(cluster.scheduler.pending()).toBe(0);
  });
});

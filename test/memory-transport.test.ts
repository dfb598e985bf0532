/**
 * The memory transport's log, through the `Transport` interface: appends, dedup, delivery
 * order, acks and redelivery, and the faults that must never break first-delivery order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotAcceptedError } from '../runtime/errors.ts';
import type { Delivery, TransportSession } from '../runtime/types.ts';
import type { MemoryCluster } from '../transport/memory/index.ts';
import { bytes, envelope, simCluster, text } from './memory-harness.ts';

async function connect(cluster: MemoryCluster, id = 'n1'): Promise<TransportSession> {
  return cluster.transport().connect(cluster.nodeInfo(id));
}

describe('memory log', () => {
  it('appends with one sequence across partitions, dedups by envelope id, delivers in order', async () => {
    const cluster = simCluster({ partitions: 4 });
    const { scheduler } = cluster;
    const s = await connect(cluster);
    const a1 = await scheduler.drive(s.log.append(0, envelope('a1'), bytes('a1')));
    const b1 = await scheduler.drive(s.log.append(1, envelope('b1'), bytes('b1')));
    const a2 = await scheduler.drive(s.log.append(0, envelope('a2'), bytes('a2')));
    expect([a1.seq, b1.seq, a2.seq]).toEqual([1, 2, 3]);
    expect(a2).toEqual({ partition: 0, seq: 3, duplicate: false });
    const again = await scheduler.drive(s.log.append(0, envelope('a1'), bytes('other')));
    expect(again).toEqual({ partition: 0, seq: 1, duplicate: true });
    expect(cluster.log.messages(0).map((m) => m.seq)).toEqual([1, 3]);

    const got: Delivery[] = [];
    await scheduler.drive(s.log.subscribe(0, 0, (d) => got.push(d)));
    await scheduler.runUntilIdle({ untilTime: scheduler.now() + 1000 });
    expect(got.map((d) => [d.seq, text(d.data), d.attempt])).toEqual([
      [1, 'a1', 1],
      [3, 'a2', 1],
    ]);
    expect(got[0]!.storedAt).toBeGreaterThan(0);
  });

  it('starts a subscription after afterSeq and counts what lies before as done', async () => {
    const cluster = simCluster({ partitions: 2 });
    const { scheduler } = cluster;
    const s = await connect(cluster);
    for (const id of ['x', 'y', 'z']) await scheduler.drive(s.log.append(1, envelope(id), bytes(id)));
    const got: number[] = [];
    await scheduler.drive(s.log.subscribe(1, 2, (d) => (got.push(d.seq), d.ack())));
    await scheduler.runUntilIdle();
    expect(got).toEqual([3]);
    expect(await scheduler.drive(s.log.ackFloor(1))).toBe(3);
  });

  it('keeps the ack floor at the highest contiguously acked sequence of the partition', async () => {
    const cluster = simCluster({ partitions: 2 });
    const { scheduler } = cluster;
    const s = await connect(cluster);
    // Seqs of partition 0 are 1, 3, 5 (partition 1 takes the even ones): not contiguous.
    for (let i = 0; i < 6; i++) await scheduler.drive(s.log.append(i % 2, envelope(`m${i}`), bytes(`m${i}`)));
    const got = new Map<number, Delivery>();
    await scheduler.drive(s.log.subscribe(0, 0, (d) => got.set(d.seq, d)));
    await scheduler.runFor(10);
    expect([...got.keys()]).toEqual([1, 3, 5]);
    got.get(3)!.ack();
    await scheduler.runFor(10);
    expect(await scheduler.drive(s.log.ackFloor(0))).toBe(0);
    got.get(1)!.ack();
    await scheduler.runFor(10);
    expect(await scheduler.drive(s.log.ackFloor(0))).toBe(3);
    got.get(5)!.ack();
    await scheduler.runFor(10);
    expect(cluster.log.ackFloor(0)).toBe(5);
    expect(cluster.log.ackFloor(1)).toBe(0);
  });

  it('redelivers after ackWait when an ack is lost, with the attempt counted', async () => {
    const cluster = simCluster({ partitions: 1, faults: { dropAckRate: 1 }, ackWaitMs: 5000 });
    const { scheduler } = cluster;
    const s = await connect(cluster);
    await scheduler.drive(s.log.append(0, envelope('e'), bytes('e')));
    const got: Delivery[] = [];
    await scheduler.drive(s.log.subscribe(0, 0, (d) => (got.push(d), d.ack())));
    const start = scheduler.now();
    await scheduler.runUntilIdle({ untilTime: start + 4999 });
    expect(got.map((d) => d.attempt)).toEqual([1]);
    cluster.setFaults({ dropAckRate: 0 });
    await scheduler.runUntilIdle();
    expect(got.map((d) => d.attempt)).toEqual([1, 2]);
    expect(scheduler.now()).toBeGreaterThanOrEqual(start + 5000);
    expect(cluster.log.ackFloor(0)).toBe(1);
  });

  it('keeps at most maxAckPending deliveries in flight', async () => {
    const cluster = simCluster({ partitions: 1, maxAckPending: 2 });
    const { scheduler } = cluster;
    const s = await connect(cluster);
    for (let i = 0; i < 5; i++) await scheduler.drive(s.log.append(0, envelope(`m${i}`), bytes(`m${i}`)));
    const got: Delivery[] = [];
    await scheduler.drive(s.log.subscribe(0, 0, (d) => got.push(d)));
    await scheduler.runFor(100);
    expect(got.map((d) => d.seq)).toEqual([1, 2]);
    got[0]!.ack();
    await scheduler.runFor(100);
    expect(got.map((d) => d.seq)).toEqual([1, 2, 3]);
  });

  it('hands unacked messages of a stopped subscription to the next one, in order', async () => {
    const cluster = simCluster({ partitions: 1 });
    const { scheduler } = cluster;
    const s = await connect(cluster);
    for (let i = 0; i < 4; i++) await scheduler.drive(s.log.append(0, envelope(`m${i}`), bytes(`m${i}`)));
    const first: Delivery[] = [];
    const sub = await scheduler.drive(s.log.subscribe(0, 0, (d) => first.push(d)));
    await scheduler.runFor(10);
    first[0]!.ack();
    first[2]!.ack();
    await scheduler.runFor(10);
    await sub.stop();
    const floor = await scheduler.drive(s.log.ackFloor(0));
    expect(floor).toBe(1);
    const second: Delivery[] = [];
    await scheduler.drive(s.log.subscribe(0, floor, (d) => (second.push(d), d.ack())));
    await scheduler.runUntilIdle();
    expect(second.map((d) => [d.seq, d.attempt])).toEqual([
      [2, 2],
      [4, 2],
    ]);
    expect(cluster.log.ackFloor(0)).toBe(4);
  });

  it('serves the newest subscription; an older one is served again from the ack floor', async () => {
    const cluster = simCluster({ partitions: 1 });
    const { scheduler } = cluster;
    const s = await connect(cluster);
    const a: Delivery[] = [];
    const b: Delivery[] = [];
    await scheduler.drive(s.log.subscribe(0, 0, (d) => a.push(d)));
    for (const id of ['m0', 'm1']) await scheduler.drive(s.log.append(0, envelope(id), bytes(id)));
    await scheduler.runFor(10);
    a[0]!.ack();
    await scheduler.runFor(10);
    const newer = await scheduler.drive(s.log.subscribe(0, cluster.log.ackFloor(0), (d) => b.push(d)));
    await scheduler.drive(s.log.append(0, envelope('m2'), bytes('m2')));
    await scheduler.runFor(10);
    const seen = (ds: Delivery[]) => ds.map((d) => `${text(d.data)}#${d.attempt}`);
    expect(seen(a)).toEqual(['m0#1', 'm1#1']);
    expect(seen(b)).toEqual(['m1#2', 'm2#1']);
    await newer.stop();
    await scheduler.runFor(10);
    expect(seen(a)).toEqual(['m0#1', 'm1#1', 'm1#3', 'm2#2']);
  });

  it('refuses appends when a fault says so, and reports lost acknowledgements as failures', async () => {
    const cluster = simCluster({ partitions: 1, faults: { publishFailureRate: 1 } });
    const { scheduler } = cluster;
    const s = await connect(cluster);
    await expect(scheduler.drive(s.log.append(0, envelope('f'), bytes('f')))).rejects.toBeInstanceOf(NotAcceptedError);
    expect(cluster.log.messages(0)).toHaveLength(0);
    cluster.setFaults({ publishFailureRate: 0, publishAckLossRate: 1 });
    await expect(scheduler.drive(s.log.append(0, envelope('g'), bytes('g')))).rejects.toBeInstanceOf(NotAcceptedError);
    // Stored nonetheless; the retry is recognised as a duplicate.
    expect(cluster.log.messages(0).map((m) => m.id)).toEqual(['g']);
    cluster.setFaults({ publishAckLossRate: 0 });
    expect(await scheduler.drive(s.log.append(0, envelope('g'), bytes('g')))).toEqual({ partition: 0, seq: 1, duplicate: true });
  });

  it('delivers first deliveries in log order per partition under any faults', async () => {
    const rate = fc.double({ min: 0, max: 0.4, noNaN: true });
    const faults = fc.record({
      duplicateRate: rate,
      dropAckRate: rate,
      delayRate: rate,
      publishFailureRate: rate,
      publishAckLossRate: rate,
      maxDelayMs: fc.integer({ min: 1, max: 500 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.integer(), faults, fc.array(fc.nat(2), { minLength: 1, maxLength: 30 }), async (seed, f, targets) => {
        const cluster = simCluster({ seed, partitions: 3, faults: f, ackWaitMs: 1000, maxAckPending: 4 });
        const { scheduler } = cluster;
        const s = await connect(cluster);
        // Per subscription and partition: the order in which each seq was first seen there.
        const firsts: number[][] = [];
        const everSeen = [new Set<number>(), new Set<number>(), new Set<number>()];
        const subscribe = async (p: number) => {
          const seen: number[] = [];
          firsts.push(seen);
          const after = await s.log.ackFloor(p);
          return s.log.subscribe(p, after, (d) => {
            if (d.attempt === 1) expect(everSeen[p]!.has(d.seq)).toBe(false);
            else expect(everSeen[p]!.has(d.seq)).toBe(true);
            everSeen[p]!.add(d.seq);
            if (!seen.includes(d.seq)) seen.push(d.seq);
            d.ack();
          });
        };
        const subs = await scheduler.drive(Promise.all([0, 1, 2].map(subscribe)));
        const send = async (i: number, p: number) => {
          for (;;) {
            try {
              return await s.log.append(p, envelope(`e${i}`), bytes(`e${i}`));
            } catch (error) {
              if (!(error instanceof NotAcceptedError)) throw error;
            }
          }
        };
        const sent = Promise.all(targets.map((p, i) => send(i, p)));
        await scheduler.runFor(200);
        // Resubscribe partition 0 midway: the next subscription starts at the ack floor.
        await scheduler.drive(subs[0]!.stop().then(() => subscribe(0)));
        await scheduler.drive(sent);
        cluster.setFaults({ dropAckRate: 0 });
        const run = await scheduler.runUntilIdle({ maxSteps: 100_000 });
        expect(run.idle).toBe(true);
        for (const seen of firsts) expect(seen).toEqual([...seen].sort((a, b) => a - b));
        for (let p = 0; p < 3; p++) {
          const logged = cluster.log.messages(p).map((m) => m.seq);
          expect([...everSeen[p]!].sort((a, b) => a - b)).toEqual(logged);
          expect(cluster.log.ackFloor(p)).toBe(logged.at(-1) ?? 0);
        }
        expect(new Set(cluster.log.all().map((m) => m.id)).size).toBe(targets.length);
      }),
      { numRuns: 150 },
    );
  });
});

/**
 * Ownership in the simulated cluster, through the `Transport` interface: placement on join
 * and leave with drain before acquire, crash and pause (lease expiry, fencing), forced
 * moves, the fenced state store, and the wire.
 */
import { describe, expect, it } from 'vitest';
import { NotAcceptedError, StaleEpochError } from '../runtime/errors.ts';
import { rendezvousOwner } from '../runtime/placement.ts';
import { bytes, envelope, joinNode, simCluster, text, type Journal } from './memory-harness.ts';

const P = 16;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('memory cluster ownership', () => {
  it('moves only the partitions whose owner changes, draining before acquiring', async () => {
    const cluster = simCluster({ partitions: P });
    const journal: Journal = [];
    const n1 = await joinNode(cluster, 'n1', journal);
    expect(n1.owned.size).toBe(P);
    expect(range(P).every((p) => cluster.ownership.epochOf(p) === 1)).toBe(true);

    journal.length = 0;
    const n2 = await joinNode(cluster, 'n2', journal);
    const moved = range(P).filter((p) => rendezvousOwner(p, ['n1', 'n2']) === 'n2');
    expect(moved.length).toBeGreaterThan(0);
    expect([...n2.owned.keys()].sort((a, b) => a - b)).toEqual(moved);
    for (const p of range(P)) {
      const expected = moved.includes(p) ? 2 : 1;
      expect(cluster.ownership.epochOf(p)).toBe(expected);
    }
    for (const p of moved) {
      const released = journal.indexOf(`release n1 p${p}`);
      expect(released).toBeGreaterThanOrEqual(0);
      expect(journal.indexOf(`acquire n2 p${p} e2`)).toBeGreaterThan(released);
    }
    expect(journal.filter((line) => line.startsWith('release')).length).toBe(moved.length);

    journal.length = 0;
    await cluster.scheduler.drive(n2.session.close());
    expect(n1.owned.size).toBe(P);
    for (const p of moved) {
      expect(journal.indexOf(`acquire n1 p${p} e3`)).toBeGreaterThan(journal.indexOf(`release n2 p${p}`));
    }
    expect(journal.filter((line) => line.startsWith('acquire')).length).toBe(moved.length);
  });

  it('reassigns a crashed node’s partitions, and its unacked messages come again from the ack floor', async () => {
    const cluster = simCluster({ partitions: P });
    const { scheduler } = cluster;
    const journal: Journal = [];
    const n1 = await joinNode(cluster, 'n1', journal);
    const n2 = await joinNode(cluster, 'n2', journal);
    const p = [...n1.owned.keys()][0]!;
    n1.autoAck = false;
    for (let i = 0; i < 3; i++) await scheduler.drive(n2.session.log.append(p, envelope(`m${i}`), bytes(`m${i}`)));
    await scheduler.runFor(10);
    expect(n1.deliveries.map((d) => text(d.data))).toEqual(['m0', 'm1', 'm2']);
    n1.deliveries[0]!.ack();
    await scheduler.runFor(10);
    const floor = cluster.log.ackFloor(p);
    expect(floor).toBe(n1.deliveries[0]!.seq);

    journal.length = 0;
    cluster.crash('n1');
    await scheduler.runFor(10);
    expect(cluster.nodeState('n1')).toBe('crashed');
    expect(cluster.ownership.members()).toEqual(['n2']);
    expect(n2.owned.size).toBe(P);
    expect(journal.some((line) => line.includes('n1'))).toBe(false);
    const redelivered = n2.deliveries.filter((d) => d.partition === p);
    expect(redelivered.map((d) => [text(d.data), d.attempt])).toEqual([
      ['m1', 2],
      ['m2', 2],
    ]);
    await expect(scheduler.drive(n1.session.log.append(p, envelope('late'), bytes('late')))).rejects.toThrow(/not accepted/);
  });

  it('fences a paused node: after the lease its partitions move, and on resume it hears lost()', async () => {
    const cluster = simCluster({ partitions: P, leaseMs: 3000 });
    const { scheduler } = cluster;
    const journal: Journal = [];
    const n1 = await joinNode(cluster, 'n1', journal);
    await joinNode(cluster, 'n2', journal);
    const mine = new Map(n1.owned);
    const [p, epoch] = [...mine.entries()][0]!;

    journal.length = 0;
    cluster.pause('n1');
    await scheduler.runFor(2999);
    expect(cluster.ownership.ownerOf(p)).toBe('n1');
    await scheduler.runFor(10);
    expect(cluster.nodeState('n1')).toBe('expired');
    expect(cluster.ownership.ownerOf(p)).toBe('n2');
    expect(cluster.ownership.epochOf(p)).toBeGreaterThan(epoch);
    expect(journal.some((line) => line.startsWith('lost'))).toBe(false);

    cluster.resume('n1');
    const write = [{ key: 'account/a', data: bytes('stale') }];
    const stale = n1.session.state.commit(p, epoch, write).catch((error: unknown) => error);
    await scheduler.runFor(10);
    expect(await stale).toBeInstanceOf(StaleEpochError);
    for (const q of mine.keys()) expect(journal).toContain(`lost n1 p${q}`);
    expect(cluster.stateStore.history('account/a')).toEqual([]);
    // It rejoined afterwards and got its share back, under newer epochs still.
    await scheduler.runUntilIdle();
    expect(cluster.ownership.ownerOf(p)).toBe('n1');
    expect(n1.owned.get(p)).toBe(cluster.ownership.epochOf(p));
  });

  it('lets only the lease holder consume a partition', async () => {
    const cluster = simCluster({ partitions: P });
    const n1 = await joinNode(cluster, 'n1');
    const n2 = await joinNode(cluster, 'n2');
    const p = [...n1.owned.keys()][0]!;
    const refused = cluster.scheduler.drive(n2.session.log.subscribe(p, 0, () => {}));
    await expect(refused).rejects.toBeInstanceOf(NotAcceptedError);
  });

  it('keeps a paused node’s lease when it resumes in time', async () => {
    const cluster = simCluster({ partitions: P });
    const { scheduler } = cluster;
    const n1 = await joinNode(cluster, 'n1');
    cluster.pause('n1');
    const delivered = n1.deliveries.length;
    await scheduler.drive((await cluster.transport().connect(cluster.nodeInfo('c'))).log.append(0, envelope('x'), bytes('x')));
    await scheduler.runFor(1000);
    expect(n1.deliveries.length).toBe(delivered);
    cluster.resume('n1');
    await scheduler.runUntilIdle();
    expect(cluster.nodeState('n1')).toBe('up');
    expect(cluster.ownership.epochOf(0)).toBe(1);
    expect(n1.deliveries.map((d) => text(d.data))).toEqual(['x']);
  });

  it('moves a partition on demand with a drain, and commits only under the current epoch', async () => {
    const cluster = simCluster({ partitions: P });
    const { scheduler } = cluster;
    const journal: Journal = [];
    const n1 = await joinNode(cluster, 'n1', journal);
    const n2 = await joinNode(cluster, 'n2', journal);
    const p = [...n1.owned.keys()][0]!;
    const old = n1.owned.get(p)!;
    await scheduler.drive(n1.session.state.commit(p, old, [{ key: 'k', data: bytes('v1') }]));
    journal.length = 0;
    await scheduler.drive(cluster.movePartition(p, 'n2'));
    expect(journal).toEqual([`release n1 p${p}`, `acquire n2 p${p} e${old + 1}`]);
    await expect(scheduler.drive(n1.session.state.commit(p, old, [{ key: 'k', data: bytes('x') }]))).rejects.toBeInstanceOf(
      StaleEpochError,
    );
    const writes = [
      { key: 'k', data: bytes('v2') },
      { key: 'j', data: bytes('w') },
    ];
    await scheduler.drive(n2.session.state.commit(p, old + 1, writes));
    expect(text((await scheduler.drive(n1.session.state.load('k')))!)).toBe('v2');
    expect(cluster.stateStore.history('k').map((v) => [text(v.data), v.epoch, v.node])).toEqual([
      ['v1', old, 'n1'],
      ['v2', old + 1, 'n2'],
    ]);
    expect(cluster.stateStore.keys()).toEqual(['j', 'k']);
  });

  it('carries wire messages to matching subscribers on every node, but not to crashed ones', async () => {
    const cluster = simCluster();
    const { scheduler } = cluster;
    const a = await cluster.transport().connect(cluster.nodeInfo('a'));
    const b = await cluster.transport().connect(cluster.nodeInfo('b'));
    const got: string[] = [];
    a.wire.subscribe('bus.*.created', (d, s) => got.push(`a ${s} ${text(d)}`));
    b.wire.subscribe('bus.>', (d, s) => got.push(`b ${s} ${text(d)}`));
    b.wire.subscribe('other', (d, s) => got.push(`b ${s} ${text(d)}`));
    a.wire.publish('bus.order.created', bytes('1'));
    a.wire.publish('bus.order.created.v2', bytes('2'));
    a.wire.publish('bus', bytes('3'));
    await scheduler.runUntilIdle();
    expect(got.sort()).toEqual(['a bus.order.created 1', 'b bus.order.created 1', 'b bus.order.created.v2 2']);
    cluster.crash('b');
    got.length = 0;
    a.wire.publish('bus.x.created', bytes('4'));
    await scheduler.runUntilIdle();
    expect(got).toEqual(['a bus.x.created 4']);
  });
});

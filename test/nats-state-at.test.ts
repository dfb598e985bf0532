/**
 * Reading the journal back on NATS: `Log.read` through an ordered consumer (bounded when it
 * starts, the owner's durable consumer untouched), and `stateAt` from a node that does not
 * own the actor's partition. One nats-server for the file, a namespace per test.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNode, natsTransport, partitionsOf, type InspectionEvent, type Node } from '../index.ts';
import { partitionOf } from '../runtime/placement.ts';
import type { Envelope, LogEntry } from '../runtime/types.ts';
import { natsTransport as rawTransport, type NatsSession } from '../transport/nats/index.ts';
import { account } from '../examples/bank/actors.ts';
import { eventually, startNatsServer, testNode, type NatsServer } from './support/nats-server.ts';

const PARTITIONS = 8;
const TIMING = { heartbeatMs: 100, deadAfterMs: 600, leaseMs: 800, leaseRenewMs: 200 };

let server: NatsServer;
let nsCounter = 0;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  server = await startNatsServer({ jetstream: true });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await server?.stop();
});

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

function envelope(id: string): Envelope {
  return { id, type: 'DEPOSIT', to: { type: 'account', id: 'a' }, from: 'client/x/1', seq: 1, hlc: '', payload: { type: 'DEPOSIT' }, timings: { sent: 0 } };
}

async function collect(entries: AsyncIterable<LogEntry>): Promise<Array<{ seq: number; text: string }>> {
  const out: Array<{ seq: number; text: string }> = [];
  for await (const e of entries) out.push({ seq: e.seq, text: text(e.data) });
  return out;
}

describe('nats log read', () => {
  it('reads one partition in order, within bounds, up to its last message when called, without touching the durable consumer', async () => {
    const session: NatsSession = await rawTransport({ servers: server.url, namespace: `r${++nsCounter}`, partitions: PARTITIONS, onEvent: () => undefined }).connect(testNode('reader'));
    cleanups.push(() => session.close());
    const log = session.log;
    expect(await collect(log.read(3))).toEqual([]); // nothing yet: ends at once
    const mine: Array<{ seq: number; text: string }> = [];
    for (let i = 0; i < 30; i++) {
      const ack = await log.append(i % 3 === 0 ? 3 : 4, envelope(`m-${i}`), bytes(`m-${i}`));
      if (ack.partition === 3) mine.push({ seq: ack.seq, text: `m-${i}` });
    }
    // The owner's durable consumer: take and ack the first three.
    const got: number[] = [];
    const sub = await log.subscribe(3, 0, (d) => {
      got.push(d.seq);
      if (got.length <= 3) d.ack();
    });
    await eventually('all delivered', () => got.length === mine.length);
    // The floor stands anywhere from the 3rd ack to just before the 4th message.
    const floor = await eventually('ack floor', async () => {
      const f = await log.ackFloor(3);
      return f >= mine[2]!.seq && f;
    });
    expect(floor).toBeLessThan(mine[3]!.seq);

    expect(await collect(log.read(3))).toEqual(mine);
    expect(await collect(log.read(3, { fromSeq: mine[2]!.seq, toSeq: mine[5]!.seq }))).toEqual(mine.slice(2, 6));
    expect(await collect(log.read(3, { fromSeq: mine[2]!.seq + 1, toSeq: mine[5]!.seq - 1 }))).toEqual(mine.slice(3, 5));
    expect(await collect(log.read(3, { fromSeq: 10, toSeq: 9 }))).toEqual([]);

    // Appends made while a read runs are not part of it; `break` ends it early.
    const seen: number[] = [];
    for await (const e of log.read(3)) {
      seen.push(e.seq);
      if (seen.length === 1) await log.append(3, envelope('late'), bytes('late'));
    }
    expect(seen).toEqual(mine.map((m) => m.seq));
    for await (const e of log.read(3)) {
      expect(e.seq).toBe(mine[0]!.seq);
      break;
    }
    await expect(collect(log.read(99))).rejects.toThrow(RangeError);

    // Every read cleaned up after itself: only the owner's durable consumer is left.
    const jsm = await jetstreamManager(session.connection.nc);
    const names = (await jsm.consumers.list(`r${nsCounter}`).next()).map((c) => c.name);
    expect(names).toEqual([`r${nsCounter}-p3`]);
    // The owner saw none of that: same floor, and the late message reaches it once.
    expect(await log.ackFloor(3)).toBe(floor);
    await eventually('the late append delivered', () => got.length === mine.length + 1);
    expect(new Set(got).size).toBe(got.length);
    await sub.stop();
  });
});

describe('stateAt on nats', () => {
  it('a node that does not own the partition rebuilds the state from the journal', async () => {
    const namespace = `s${++nsCounter}`;
    const stamps = new Map<string, string>();
    const inspect = (e: InspectionEvent) => void (e.kind === 'send' && e.accepted && stamps.set(e.event, e.hlc));
    const start = async (nodeId: string): Promise<Node<readonly [typeof account]>> => {
      const n = await createNode({
        actors: [account] as const,
        nodeId,
        transport: natsTransport({ servers: server.url, namespace, partitions: PARTITIONS, ...TIMING, onEvent: () => undefined }),
        hlcStartupWaitMs: 0,
        metricsIntervalMs: 0,
        inspect,
      });
      cleanups.push(() => n.stop());
      return n;
    };
    const a = await start('a');
    const b = await start('b');
    await eventually('ownership split', () =>
      [a, b].every((n) => JSON.stringify(n.stats().partitions) === JSON.stringify(partitionsOf(n.id, ['a', 'b'], PARTITIONS))),
    );
    let id = 0;
    while (!a.stats().partitions.includes(partitionOf(account.ref(`acct-${id}`), PARTITIONS))) id++;
    const ref = account.ref(`acct-${id}`);

    // Deposits from both nodes: the owner's own and ones that cross over.
    const amounts = Array.from({ length: 12 }, (_, i) => i + 1);
    const sent: string[] = [];
    for (const [i, amount] of amounts.entries()) sent.push(stamps.get((await (i % 2 === 0 ? a : b).send(ref, { type: 'DEPOSIT', amount })).id)!);
    const live = await b.ask(ref, { type: 'BALANCE' });
    expect(live).toBe(78);

    const now = await b.stateAt(ref, 'ffffffffffff0000z');
    expect(now.view.context).toEqual({ balance: 78, deposits: 12 });
    expect(now.events).toBe(13);
    expect(await a.stateAt(ref, 'ffffffffffff0000z')).toEqual(now);
    for (const k of [1, 5, 12]) {
      // Senders on two nodes: stamps of the same millisecond may cross log order, so the
      // expected state is the defined one, the prefix up to the last deposit stamped <= t.
      const t = sent[k - 1]!;
      const last = sent.reduce((j, s, i) => (s <= t ? i : j), -1);
      const state = await b.stateAt(ref, t);
      expect(state.view.context.balance).toBe(amounts.slice(0, last + 1).reduce((x, y) => x + y, 0));
    }
    expect((await b.stateAt(ref, '0000000000000000a')).view.context).toEqual({ balance: 0, deposits: 0 });

    // The owner goes on as before.
    await b.send(ref, { type: 'DEPOSIT', amount: 100 });
    expect(await a.ask(ref, { type: 'BALANCE' })).toBe(178);
  });
});

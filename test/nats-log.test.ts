/**
 * The NATS transport's log, state store and dead letters against a real nats-server (one per
 * file, each test in its own namespace).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { NotAcceptedError, StaleEpochError } from '../runtime/errors.ts';
import type { Delivery, Envelope } from '../runtime/types.ts';
import { natsTransport, type NatsSession, type NatsTransportOptions } from '../transport/nats/index.ts';
import { eventually, startNatsServer, testNode, type NatsServer } from './support/nats-server.ts';

let server: NatsServer;
let nsCounter = 0;
const sessions: NatsSession[] = [];

beforeAll(async () => {
  server = await startNatsServer({ jetstream: true });
});

afterAll(async () => {
  await Promise.allSettled(sessions.map((s) => s.close()));
  await server?.stop();
});

async function open(options: Partial<NatsTransportOptions> = {}): Promise<NatsSession> {
  const session = await natsTransport({
    servers: server.url,
    namespace: `t${++nsCounter}`,
    partitions: 8,
    onEvent: () => undefined,
    ...options,
  }).connect(testNode(`node-${nsCounter}`));
  sessions.push(session);
  return session;
}

function envelope(id: string, type = 'account'): Envelope {
  return { id, type: 'Deposit', to: { type, id: 'a' }, from: 'client/x/1', seq: 1, hlc: '', payload: { type: 'Deposit' }, timings: { sent: 0 } };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

describe('nats log', () => {
  it('appends and reports a second append with the same id as a duplicate', async () => {
    const s = await open();
    const first = await s.log.append(2, envelope('e-1'), bytes('one'));
    const again = await s.log.append(2, envelope('e-1'), bytes('one'));
    const other = await s.log.append(2, envelope('e-2'), bytes('two'));
    expect(first).toEqual({ partition: 2, seq: 1, duplicate: false });
    expect(again).toEqual({ partition: 2, seq: 1, duplicate: true });
    expect(other).toEqual({ partition: 2, seq: 2, duplicate: false });
    await expect(s.log.append(99, envelope('e-3'), bytes('x'))).rejects.toBeInstanceOf(NotAcceptedError);
  });

  it('delivers a partition in log order, and a new subscription starts after the ack floor', async () => {
    const s = await open();
    const appended: number[] = [];
    for (let i = 0; i < 20; i++) {
      const ack = await s.log.append(i % 2 === 0 ? 3 : 4, envelope(`m-${i}`), bytes(`m-${i}`));
      if (ack.partition === 3) appended.push(ack.seq);
    }
    expect(await s.log.ackFloor(3)).toBe(0);
    const got: Delivery[] = [];
    const sub = await s.log.subscribe(3, 0, (d) => got.push(d));
    await eventually('10 deliveries', () => got.length === 10);
    expect(got.map((d) => d.seq)).toEqual(appended);
    expect(got.every((d) => d.partition === 3 && d.attempt === 1 && text(d.data).startsWith('m-'))).toBe(true);
    expect(got[0]!.storedAt).toBeGreaterThan(0);
    for (const d of got.slice(0, 6)) d.ack();
    // The floor may stand anywhere from the 6th ack up to just before the 7th message: the
    // stream sequences in between belong to other partitions.
    const floor = await eventually('ack floor past the 6th', async () => {
      const f = await s.log.ackFloor(3);
      return f >= appended[5]! && f;
    });
    expect(floor).toBeLessThan(appended[6]!);
    await sub.stop();

    const again: Delivery[] = [];
    const sub2 = await s.log.subscribe(3, floor, (d) => again.push(d));
    await eventually('the 4 unacked', () => again.length === 4);
    expect(again.map((d) => d.seq)).toEqual(appended.slice(6));
    expect(again.every((d) => d.attempt === 1)).toBe(true);
    expect(await s.log.ackFloor(3)).toBe(floor);
    await sub2.stop();
  });

  it('redelivers an unacked message after the ack wait, as a later attempt', async () => {
    const s = await open({ ackWaitMs: 400 });
    await s.log.append(1, envelope('r-1'), bytes('r-1'));
    await s.log.append(1, envelope('r-2'), bytes('r-2'));
    const got: Delivery[] = [];
    const sub = await s.log.subscribe(1, 0, (d) => {
      got.push(d);
      if (d.seq === 2) d.ack();
    });
    await eventually('redelivery of seq 1', () => got.find((d) => d.seq === 1 && d.attempt > 1), 5_000);
    expect(got.slice(0, 2).map((d) => [d.seq, d.attempt])).toEqual([[1, 1], [2, 1]]);
    await sub.stop();
  });
});

describe('nats state store', () => {
  it('commits under the current epoch and refuses a stale one', async () => {
    const s = await open({ partitions: 2 });
    const acquired = new Map<number, number>();
    await s.ownership.start({ acquire: async (p, e) => void acquired.set(p, e), release: async () => undefined, lost: () => undefined });
    const epoch = await eventually('partition 0 acquired', () => acquired.get(0));
    await s.state.commit(0, epoch, [{ key: 'account/alice', data: bytes('v1') }]);
    expect(text((await s.state.load('account/alice'))!)).toBe('v1');
    expect(await s.state.load('account/nobody')).toBeUndefined();
    const stale = s.state.commit(0, epoch - 1, [{ key: 'account/alice', data: bytes('old') }]);
    await expect(stale).rejects.toBeInstanceOf(StaleEpochError);
    expect(text((await s.state.load('account/alice'))!)).toBe('v1');
    await s.ownership.stop();
    await expect(s.state.commit(0, epoch, [{ key: 'account/alice', data: bytes('late') }])).rejects.toThrow(/stale epoch/);
  });

  it('never overwrites a record written under a higher epoch', async () => {
    const s = await open({ namespace: 'fence' });
    // Play the lease by hand: a writer with epoch 100, then a lease that says 50.
    const nc = await connect({ servers: server.url });
    const leases = await new Kvm(jetstream(nc)).open('fence-leases');
    const setLease = (epoch: number) => leases.put('p5', JSON.stringify({ owner: 'x', epoch, expiresAt: 0 }));
    await setLease(100);
    await s.state.commit(5, 100, [{ key: 'k/1', data: bytes('by-100') }]);
    await setLease(50);
    const err = await s.state.commit(5, 50, [{ key: 'k/1', data: bytes('by-50') }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleEpochError);
    expect((err as StaleEpochError).current).toBe(100);
    expect(text((await s.state.load('k/1'))!)).toBe('by-100');
    await nc.close();
  });
});

describe('nats dead letters', () => {
  it('round-trips letters with their raw bytes and envelope, once per log message', async () => {
    const s = await open();
    const raw = new Uint8Array([0, 255, 1, 254]);
    const letter = { reason: 'malformed' as const, error: 'bad bytes', partition: 1, seq: 7, data: raw, at: 123, node: 'n' };
    await s.deadLetters.put(letter);
    await s.deadLetters.put(letter);
    await s.deadLetters.put({ ...letter, reason: 'handler-failed', seq: 8, envelope: envelope('d-1') });
    const list = await s.deadLetters.list();
    expect(list).toHaveLength(2);
    expect(list[0]).toEqual(letter);
    expect(list[1]!.envelope?.id).toBe('d-1');
    expect(list[1]!.reason).toBe('handler-failed');
  });
});

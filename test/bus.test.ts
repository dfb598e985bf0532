/** The typed local bus: delivery, queue groups, failure isolation, iterators, types. */
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { createBus, DEFAULT_HIGH_WATER_MARK } from '../runtime/bus.ts';
import { InvalidOptionError, MailboxFullError } from '../runtime/errors.ts';

type Topics = {
  'account.opened': { id: string };
  'account.closed': { id: string; reason: string };
  'order.placed': { total: number };
};

/** A bus whose handler errors are collected instead of logged. */
function quietBus() {
  const errors: [unknown, string][] = [];
  const bus = createBus<Record<string, number>>({ onError: (e, t) => errors.push([e, t]) });
  return { bus, errors };
}

describe('publish and subscribe', () => {
  it('broadcasts to every matching subscriber, in subscription order', () => {
    const { bus } = quietBus();
    const seen: string[] = [];
    bus.subscribe('a.b', (p, t) => seen.push(`exact ${t} ${p}`));
    bus.subscribe('a.*', (p, t) => seen.push(`star ${t} ${p}`));
    bus.subscribe('>', (p, t) => seen.push(`all ${t} ${p}`));
    bus.subscribe('x.*', () => seen.push('never'));
    expect(bus.publish('a.b', 1)).toBe(3);
    expect(bus.publish('a.c', 2)).toBe(2);
    expect(bus.publish('q', 3)).toBe(1);
    expect(seen).toEqual(['exact a.b 1', 'star a.b 1', 'all a.b 1', 'star a.c 2', 'all a.c 2', 'all q 3']);
  });

  it('stops delivering after unsubscribe', () => {
    const { bus } = quietBus();
    const handler = vi.fn();
    const sub = bus.subscribe('a', handler);
    expect(sub).toMatchObject({ pattern: 'a', queue: undefined, active: true });
    bus.publish('a', 1);
    sub.unsubscribe();
    sub.unsubscribe(); // idempotent
    expect(sub.active).toBe(false);
    expect(bus.publish('a', 2)).toBe(0);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(bus.size).toBe(0);
  });

  it('rejects invalid subjects, patterns and options', () => {
    const { bus } = quietBus();
    expect(() => bus.publish('a.*', 1)).toThrow(InvalidOptionError);
    expect(() => bus.publish('a..b', 1)).toThrow(/empty token/);
    expect(() => bus.subscribe('a.>.b', () => {})).toThrow(/'>' is only allowed as the last token/);
    expect(() => bus.subscribe('a', () => {}, { queue: 'has space' })).toThrow(/invalid option 'queue'/);
    expect(() => bus.iterate('a', { highWaterMark: 0 })).toThrow(/invalid option 'highWaterMark'/);
    expect(() => createBus({ onError: 'no' as never })).toThrow(/invalid option 'onError'/);
    expect(bus.size).toBe(0);
  });
});

describe('queue groups', () => {
  it('gives each message to one member, round-robin, beside plain subscribers', () => {
    const { bus } = quietBus();
    const got: string[] = [];
    for (const name of ['w1', 'w2', 'w3']) bus.subscribe('job.*', () => got.push(name), { queue: 'workers' });
    bus.subscribe('job.*', () => got.push('audit'));
    for (let i = 0; i < 4; i++) expect(bus.publish('job.run', i)).toBe(2);
    expect(got).toEqual(['w1', 'audit', 'w2', 'audit', 'w3', 'audit', 'w1', 'audit']);
  });

  it('gives each group one copy; the same queue name on another pattern is another group', () => {
    const { bus } = quietBus();
    const counts: Record<string, number> = {};
    const count = (name: string) => () => void (counts[name] = (counts[name] ?? 0) + 1);
    bus.subscribe('job.run', count('a1'), { queue: 'a' });
    bus.subscribe('job.run', count('a2'), { queue: 'a' });
    bus.subscribe('job.run', count('b1'), { queue: 'b' });
    bus.subscribe('job.*', count('a-star'), { queue: 'a' });
    for (let i = 0; i < 10; i++) expect(bus.publish('job.run', i)).toBe(3);
    expect(counts).toEqual({ a1: 5, a2: 5, b1: 10, 'a-star': 10 });
  });

  it('keeps the rotation when members leave, and drops the group with its last member', () => {
    const { bus } = quietBus();
    const got: string[] = [];
    const [s1, s2, s3] = ['1', '2', '3'].map((n) => bus.subscribe('j', () => got.push(n), { queue: 'q' }));
    bus.publish('j', 0); // 1
    s1!.unsubscribe();
    bus.publish('j', 0); // 2 (was due next)
    bus.publish('j', 0); // 3
    s3!.unsubscribe();
    bus.publish('j', 0); // 2
    s2!.unsubscribe();
    expect(bus.publish('j', 0)).toBe(0);
    expect(got).toEqual(['1', '2', '3', '2']);
  });

  it('passes the turn on when an iterator in the group overflows', async () => {
    const { bus } = quietBus();
    const got: number[] = [];
    const it = bus.iterate('j', { queue: 'q', highWaterMark: 1 });
    bus.subscribe('j', (p) => got.push(p), { queue: 'q' });
    bus.subscribe('j', (p) => got.push(-p), { queue: 'q' });
    // it: 1 (buffered), h: 2, -h: 3, it refuses 4 and leaves, so h gets it; then -h, h.
    for (let i = 1; i <= 6; i++) expect(bus.publish('j', i)).toBe(1);
    expect(got).toEqual([2, -3, 4, -5, 6]);
    await expect(it.next()).resolves.toMatchObject({ value: { payload: 1 } });
    await expect(it.next()).rejects.toBeInstanceOf(MailboxFullError);
  });
});

describe('failure isolation and changes during delivery', () => {
  it('reports a throwing handler and still delivers to the others', () => {
    const { bus, errors } = quietBus();
    const boom = new Error('boom');
    const after = vi.fn();
    bus.subscribe('a.*', () => {
      throw boom;
    });
    bus.subscribe('a.b', after);
    expect(bus.publish('a.b', 1)).toBe(2);
    expect(after).toHaveBeenCalledWith(1, 'a.b');
    expect(errors).toEqual([[boom, 'a.b']]);
  });

  it('logs to console.error by default, also when onError itself throws', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const plain = createBus();
      plain.subscribe('t', () => {
        throw new Error('x');
      });
      plain.publish('t', 1);
      expect(log).toHaveBeenLastCalledWith(expect.stringContaining("'t'"), expect.any(Error));
      const bad = createBus({
        onError: () => {
          throw new Error('reporter');
        },
      });
      const after = vi.fn();
      bad.subscribe('t', () => {
        throw new Error('x');
      });
      bad.subscribe('t', after);
      expect(bad.publish('t', 1)).toBe(2);
      expect(after).toHaveBeenCalled();
      expect(log).toHaveBeenCalledTimes(2);
    } finally {
      log.mockRestore();
    }
  });

  it('is safe to (un)subscribe while delivering', () => {
    const { bus } = quietBus();
    const got: string[] = [];
    let late: (() => void) | undefined;
    bus.subscribe('t', (p) => {
      got.push(`first ${p}`);
      second.unsubscribe(); // removed before its turn: not called
      late ??= bus.subscribe('t', (q) => got.push(`late ${q}`)).unsubscribe; // not called for this one
    });
    const second = bus.subscribe('t', (p) => got.push(`second ${p}`));
    const once = bus.subscribe('t', (p) => {
      got.push(`once ${p}`);
      once.unsubscribe();
    });
    expect(bus.publish('t', 1)).toBe(2);
    expect(bus.publish('t', 2)).toBe(2);
    expect(got).toEqual(['first 1', 'once 1', 'first 2', 'late 2']);
  });

  it('delivers nested publishes depth-first', () => {
    const { bus } = quietBus();
    const got: string[] = [];
    bus.subscribe('a', (p) => {
      got.push(`a ${p}`);
      bus.publish('b', p + 1);
    });
    bus.subscribe('b', (p) => got.push(`b ${p}`));
    bus.publish('a', 1);
    expect(got).toEqual(['a 1', 'b 2']);
  });
});

describe('iterate', () => {
  it('yields buffered and later messages; break unsubscribes', async () => {
    const { bus } = quietBus();
    const it = bus.iterate('n.*');
    expect(bus.publish('n.a', 1)).toBe(1);
    bus.publish('n.b', 2);
    setTimeout(() => bus.publish('n.c', 3), 1);
    const got: unknown[] = [];
    for await (const m of it) {
      got.push(m);
      if (got.length === 3) break;
    }
    expect(got).toEqual([
      { topic: 'n.a', payload: 1 },
      { topic: 'n.b', payload: 2 },
      { topic: 'n.c', payload: 3 },
    ]);
    expect(bus.size).toBe(0);
    expect(bus.publish('n.d', 4)).toBe(0);
    await expect(it.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('ends cleanly on abort, also when the signal is aborted already', async () => {
    const { bus } = quietBus();
    const ac = new AbortController();
    const it = bus.iterate('t', { signal: ac.signal });
    const pending = it.next();
    setTimeout(() => ac.abort(), 1);
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(bus.size).toBe(0);
    const again = bus.iterate('t', { signal: ac.signal });
    await expect(again.next()).resolves.toMatchObject({ done: true });
    expect(bus.size).toBe(0);
  });

  it('unsubscribes on Symbol.asyncDispose and on return()', async () => {
    const { bus } = quietBus();
    const a = bus.iterate('t');
    const b = bus.iterate('t');
    expect(bus.size).toBe(2);
    await a[Symbol.asyncDispose]();
    await expect(b.return()).resolves.toEqual({ done: true, value: undefined });
    expect(bus.size).toBe(0);
  });

  it('yields the buffer, then fails with MailboxFullError instead of dropping silently', async () => {
    const { bus } = quietBus();
    const it = bus.iterate('t.>', { highWaterMark: 2 });
    expect([1, 2, 3, 4].map((n) => bus.publish('t.x', n))).toEqual([1, 1, 0, 0]);
    expect(bus.size).toBe(0);
    await expect(it.next()).resolves.toEqual({ done: false, value: { topic: 't.x', payload: 1 } });
    await expect(it.next()).resolves.toMatchObject({ value: { payload: 2 } });
    const err = await it.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailboxFullError);
    expect(err).toMatchObject({ actor: 't.>', capacity: 2, code: 'MAILBOX_FULL' });
    await expect(it.next()).resolves.toMatchObject({ done: true });
    expect(DEFAULT_HIGH_WATER_MARK).toBe(10_000);
  });

  it('joins queue groups like a handler', async () => {
    const { bus } = quietBus();
    const got: number[] = [];
    const it = bus.iterate('j', { queue: 'q' });
    bus.subscribe('j', (p) => got.push(p), { queue: 'q' });
    for (let i = 1; i <= 4; i++) bus.publish('j', i);
    expect(got).toEqual([2, 4]);
    await expect(it.next()).resolves.toMatchObject({ value: { payload: 1 } });
    await expect(it.next()).resolves.toMatchObject({ value: { payload: 3 } });
    await it.return();
  });

  it('close() drains iterators, then ends them; the bus delivers nothing afterwards', async () => {
    const { bus } = quietBus();
    const buffered = bus.iterate('t');
    const waiting = bus.iterate('t');
    const handler = vi.fn();
    bus.subscribe('t', handler);
    bus.publish('t', 1);
    await waiting.next();
    const pending = waiting.next();
    bus.close();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await expect(buffered.next()).resolves.toMatchObject({ done: false, value: { payload: 1 } });
    await expect(buffered.next()).resolves.toMatchObject({ done: true });
    expect(bus.size).toBe(0);
    expect(bus.publish('t', 2)).toBe(0);
    expect(bus.subscribe('t', handler).active).toBe(false);
    await expect(bus.iterate('t').next()).resolves.toMatchObject({ done: true });
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('types', () => {
  it('types payloads and topics by the topic map (checked by tsc)', () => {
    const bus = createBus<Topics>();
    bus.publish('account.opened', { id: 'a' });
    // @ts-expect-error wrong payload for a known topic
    bus.publish('account.opened', { total: 1 });
    // @ts-expect-error unknown topic
    bus.publish('account.deleted', { id: 'a' });
    // @ts-expect-error handler expecting another topic's payload
    bus.subscribe('order.placed', (p: { id: string }) => p);
    bus.subscribe('account.closed', (p, t) => {
      expectTypeOf(p).toEqualTypeOf<{ id: string; reason: string }>();
      expectTypeOf(t).toEqualTypeOf<'account.closed'>();
    });
    bus.subscribe('account.*', (p, t) => {
      expectTypeOf(p).toEqualTypeOf<Topics['account.opened'] | Topics['account.closed']>();
      expectTypeOf(t).toEqualTypeOf<'account.opened' | 'account.closed'>();
    });
    bus.subscribe('>', (p) => expectTypeOf(p).toEqualTypeOf<Topics[keyof Topics]>());
    bus.subscribe('nothing.*', (p, t) => {
      expectTypeOf(p).toEqualTypeOf<Topics[keyof Topics]>();
      expectTypeOf(t).toEqualTypeOf<string>();
    });
    const it = bus.iterate('account.>');
    type Message = Awaited<ReturnType<typeof it.next>>['value'];
    expectTypeOf<Exclude<Message, undefined>>().toEqualTypeOf<
      | { readonly topic: 'account.opened'; readonly payload: { id: string } }
      | { readonly topic: 'account.closed'; readonly payload: { id: string; reason: string } }
    >();

    const open = createBus<Record<string, number>>();
    open.publish('any.subject', 1);
    // @ts-expect-error wrong payload type under an index signature
    open.publish('any.subject', 'one');
    open.subscribe('a.*', (p, t) => {
      expectTypeOf(p).toEqualTypeOf<number>();
      expectTypeOf(t).toEqualTypeOf<string>();
    });
    bus.close();
    open.close();
  });
});

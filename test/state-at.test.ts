/**
 * `node.stateAt(ref, hlc)` (G6): an actor's state as of an HLC time, rebuilt from the
 * journal. Through the public entry on the memory transport: a single node against the HLCs
 * its own sends got, and the simulated cluster under every fault, where the rebuilt current
 * state must be the state the live actors persisted.
 */
import fc from 'fast-check';
import { assign, setup } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import { createNode, decodeHlc, defineActor, encodeHlc, UnknownActorTypeError, type InspectionEvent, type Node } from '../index.ts';
import { decodeRecord } from '../runtime/codec.ts';
import { simulationProperty, type SendStep, type SimulationResult } from '../testing/index.ts';
import { account } from '../examples/bank/actors.ts';
import { alarm, counter, relay } from './fixtures/actors.ts';

const RUNS = Number(process.env.CAUSEWAY_RUNS_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * RUNS));

/** Fails on a negative deposit: the live actor dead-letters it, the replay must skip it. */
const strict = defineActor(
  'strict',
  setup({ types: { context: {} as { balance: number }, events: {} as { type: 'DEPOSIT'; amount: number } } }).createMachine({
    context: { balance: 0 },
    on: {
      DEPOSIT: {
        actions: assign(({ context, event }) => {
          if (event.amount < 0) throw new Error('negative deposit');
          return { balance: context.balance + event.amount };
        }),
      },
    },
  }),
);

const actors = [account, strict, alarm] as const;
type AccountView = { context: { balance: number; deposits: number } };

let node: Node<typeof actors> | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

/** A node that remembers the HLC of every accepted send by event id. */
async function recordingNode(): Promise<{ node: Node<typeof actors>; hlcOf: Map<string, string> }> {
  const hlcOf = new Map<string, string>();
  const n = await createNode({ actors, maxAttempts: 2 });
  n.inspect((e: InspectionEvent) => {
    if (e.kind === 'send' && e.accepted) hlcOf.set(e.event, e.hlc);
  });
  return { node: n, hlcOf };
}

const FAR_FUTURE = { wall: 2 ** 48 - 1, logical: 0, node: 'z' };
const BEFORE_ALL = { wall: 0, logical: 0, node: 'a' };

describe('stateAt on one node', () => {
  it('the state after the k-th deposit, for any k; past the last it is the live state; before the first the initial one', async () => {
    const { node: n, hlcOf } = await recordingNode();
    node = n;
    let actor = 0;
    const prop = fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 25 }), fc.nat(), async (amounts, pick) => {
      const ref = account.ref(`acct-${++actor}`);
      const stamps: string[] = [];
      for (const amount of amounts) stamps.push(hlcOf.get((await n.send(ref, { type: 'DEPOSIT', amount })).id)!);
      const k = 1 + (pick % amounts.length);
      const sum = (count: number) => amounts.slice(0, count).reduce((a, b) => a + b, 0);

      const at = await n.stateAt(ref, stamps[k - 1]!);
      expect(at.view.context).toEqual({ balance: sum(k), deposits: k });
      expect(at.events).toBe(k);
      // The same time as a stamp object, and a time just before the k-th deposit.
      expect((await n.stateAt(ref, decodeHlc(stamps[k - 1]!))).view.context.balance).toBe(sum(k));
      const before = decodeHlc(stamps[k - 1]!);
      const justBefore = before.logical > 0 ? { ...before, logical: before.logical - 1, node: 'z' } : { ...before, wall: before.wall - 1, logical: 0xffff };
      expect((await n.stateAt(ref, justBefore)).view.context.balance).toBe(sum(k - 1));

      const live = await n.ask(ref, { type: 'BALANCE' });
      const now = await n.stateAt(ref, FAR_FUTURE);
      expect(now.view.context.balance).toBe(live);
      expect(now.events).toBe(amounts.length); // BALANCE changes nothing but is applied too
      const initial = await n.stateAt(ref, BEFORE_ALL);
      expect(initial).toMatchObject({ appliedSeq: 0, events: 0, view: { context: { balance: 0, deposits: 0 }, status: 'active' } });
    });
    await fc.assert(prop, { numRuns: runs(25) });
  });

  it('matches the persisted record: appliedSeq, snapshot; an actor never sent to is in its initial state', async () => {
    const { node: n } = await recordingNode();
    node = n;
    const ref = account.ref('rec');
    for (let i = 1; i <= 5; i++) await n.send(ref, { type: 'DEPOSIT', amount: i });
    const receipt = await n.send(ref, { type: 'WITHDRAW', amount: 4 });
    await n.ask(ref, { type: 'BALANCE' });
    const now = await n.stateAt(ref, FAR_FUTURE);
    expect(now.view.context).toEqual({ balance: 11, deposits: 5 });
    expect(now.appliedSeq).toBeGreaterThan(receipt.seq);
    expect((now.snapshot as AccountView).context).toEqual({ balance: 11, deposits: 5 });
    expect(await n.stateAt(account.ref('nobody'), FAR_FUTURE)).toMatchObject({ appliedSeq: 0, events: 0, view: { context: { balance: 0 } } });
  });

  it('skips what the live actor dead-lettered after its attempts: state unchanged, the event still counted as taken', async () => {
    const { node: n, hlcOf } = await recordingNode();
    node = n;
    const ref = strict.ref('s');
    await n.send(ref, { type: 'DEPOSIT', amount: 5 });
    const bad = await n.send(ref, { type: 'DEPOSIT', amount: -1 });
    const last = await n.send(ref, { type: 'DEPOSIT', amount: 7 });
    const live = (await n.ask(ref, { type: 'DEPOSIT', amount: 0 })) as { context: { balance: number } };
    expect(live.context.balance).toBe(12);
    expect((await n.deadLetters()).map((d) => d.reason)).toEqual(['handler-failed']);

    const atBad = await n.stateAt(ref, hlcOf.get(bad.id)!);
    expect(atBad).toMatchObject({ appliedSeq: bad.seq, events: 1, view: { context: { balance: 5 } } });
    const atLast = await n.stateAt(ref, hlcOf.get(last.id)!);
    expect(atLast).toMatchObject({ appliedSeq: last.seq, events: 2, view: { context: { balance: 12 } } });
  });

  it('durable timers: a firing applies as it did live', async () => {
    const n = await createNode({ actors: [account, strict, fastAlarm] as const });
    node = n as never;
    const ref = fastAlarm.ref('x');
    await n.send(ref, { type: 'ARM' });
    await waitFor(async () => ((await n.ask(ref, { type: 'GET' })) as { fired: number }).fired === 1);
    await n.send(ref, { type: 'ARM' });
    const live = (await n.ask(ref, { type: 'GET' })) as { fired: number; armed: number };
    expect(live).toEqual({ fired: 1, armed: 2 });
    const now = await n.stateAt(ref, FAR_FUTURE);
    expect(now.view).toMatchObject({ value: 'armed', context: live });
  });

  it('fails loudly for an unknown actor type, a bad stamp, and an aborted signal', async () => {
    const { node: n } = await recordingNode();
    node = n;
    await expect(n.stateAt({ type: 'acount', id: 'a' }, FAR_FUTURE)).rejects.toBeInstanceOf(UnknownActorTypeError);
    await expect(n.stateAt(account.ref('a'), 'not-a-stamp')).rejects.toThrow(/invalid hlc/);
    await expect(n.stateAt(account.ref('a'), { wall: -1, logical: 0, node: 'a' })).rejects.toThrow(RangeError);
    const aborted = AbortSignal.abort(new Error('enough'));
    await n.send(account.ref('a'), { type: 'DEPOSIT', amount: 1 });
    await expect(n.stateAt(account.ref('a'), FAR_FUTURE, { signal: aborted })).rejects.toThrow('enough');
    expect(encodeHlc(FAR_FUTURE)).toMatch(/^f{12}0000z$/);
  });
});

/** `alarm` with a short delay, so a real-time test sees it fire. */
const fastAlarm = defineActor(
  'fastAlarm',
  setup({ types: { context: {} as { fired: number; armed: number }, events: {} as { type: 'ARM' } | { type: 'GET' } } }).createMachine({
    context: { fired: 0, armed: 0 },
    initial: 'idle',
    states: {
      idle: { on: { ARM: { target: 'armed', actions: assign({ armed: ({ context }) => context.armed + 1 }) } } },
      armed: { after: { 50: { target: 'idle', actions: assign({ fired: ({ context }) => context.fired + 1 }) } } },
    },
    on: { GET: { actions: ({ context, self }) => void [context, self] } },
  }),
);

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// --- the simulated cluster: the rebuilt current state is the persisted one ----------------

const simActors = [counter, relay, alarm] as const;
const counterId = fc.integer({ min: 0, max: 2 }).map((i) => `c${i}`);
const simWork: fc.Arbitrary<SendStep> = fc.oneof(
  fc.record({ from: fc.nat(2), to: counterId, amount: fc.integer({ min: 1, max: 9 }) }).map(({ from, to, amount }) => ({
    kind: 'send' as const,
    from,
    to: counter.ref(to),
    event: { type: 'ADD' as const, amount, sender: `client${from}`, n: 0 },
  })),
  fc.record({ from: fc.nat(2), relay: fc.nat(1), to: counterId, amount: fc.integer({ min: 1, max: 9 }) }).map((r) => ({
    kind: 'send' as const,
    from: r.from,
    to: relay.ref(`r${r.relay}`),
    event: { type: 'FORWARD' as const, to: r.to, amount: r.amount, n: 0 },
  })),
  fc.record({ from: fc.nat(2), id: fc.nat(1) }).map(({ from, id }) => ({ kind: 'send' as const, from, to: alarm.ref(`a${id}`), event: { type: 'ARM' as const } })),
) as fc.Arbitrary<SendStep>;

async function rebuiltIsPersisted(r: SimulationResult<typeof simActors>): Promise<void> {
  const { sim } = r;
  const via = sim.node(sim.nodeIds[r.seed % sim.nodeIds.length]!)!;
  const refs = [0, 1, 2].map((i) => counter.ref(`c${i}`) as { type: string; id: string });
  refs.push(relay.ref('r0'), relay.ref('r1'), alarm.ref('a0'), alarm.ref('a1'));
  for (const ref of refs) {
    const rebuilt = await sim.cluster.scheduler.drive(via.stateAt(ref, FAR_FUTURE), { idleGraceMs: 20 });
    const stored = sim.cluster.stateStore.latest(`${ref.type}/${ref.id}`);
    const record = stored === undefined ? undefined : decodeRecord(stored);
    const snapshot = rebuilt.snapshot as { value: unknown; context: unknown };
    const persisted = record?.snapshot as { value: unknown; context: unknown } | undefined;
    expect({ actor: ref.id, appliedSeq: rebuilt.appliedSeq, value: snapshot.value, context: snapshot.context }).toEqual({
      actor: ref.id,
      appliedSeq: record?.appliedSeq ?? 0,
      value: persisted?.value ?? snapshot.value,
      context: persisted?.context ?? (rebuilt.view as { context: unknown }).context,
    });
  }
}

describe('stateAt over the simulated cluster', () => {
  it('under duplicates, lost acks, redeliveries, crashes and moves: the rebuilt state is the one the live actor persisted', async () => {
    const prop = simulationProperty({ actors: simActors, workload: simWork, check: rebuiltIsPersisted });
    await fc.assert(prop, { numRuns: runs(150) });
  }, 600_000);
});

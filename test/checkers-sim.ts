/**
 * A tiny reference cluster for the checker tests: it runs a script of commands and records
 * a history that is valid by construction (independently of the checkers).
 *
 * Why it is valid: each actor has one log (inbox) taking appends in real time and processes
 * it in order, so per-sender FIFO and causal delivery hold; emitted ids derive from the input
 * id and a replay re-emits the recorded sends, so nothing is emitted twice; effects are
 * committed once per event; partitions have one owner per epoch; every node runs a textbook
 * HLC, and a turn first merges the event's stamp and the actor's persisted last stamp
 * (which covers what it emitted, so a move to another node keeps the actor's sends rising).
 */

import fc from 'fast-check';
import type { History, HistoryEvent, SendRecord } from '../testing/history.ts';

export type Command =
  | { op: 'send'; client: number; actor: number; fail: boolean }
  | { op: 'process'; actor: number; emits: number[] }
  /** Processes the head, emits, then the node crashes before committing (and restarts). */
  | { op: 'crash'; actor: number; emits: number[]; afterEnd: boolean }
  /** The handler throws; the second failure dead-letters the event. */
  | { op: 'fail'; actor: number }
  | { op: 'move'; partition: number }
  | { op: 'tick'; ms: number }
  | { op: 'jump'; node: number; ms: number }
  | { op: 'clock'; node: number };

export const NODES = ['n1', 'n2'] as const;
/** `note/*` actors record no commits (their effect is the last ok end). */
export const ACTORS = ['acct/a', 'acct/b', 'acct/c', 'note/x'] as const;
const PARTITIONS = 2;
const partitionOf = (actor: number): number => actor % PARTITIONS;
const commits = (actor: number): boolean => !ACTORS[actor]!.startsWith('note/');

export function commandArb(opts: { crashes?: boolean } = {}): fc.Arbitrary<Command> {
  const actor = fc.nat({ max: ACTORS.length - 1 });
  const node = fc.nat({ max: NODES.length - 1 });
  const emits = fc.array(actor, { maxLength: 2 });
  const crash = fc.record({ op: fc.constant('crash' as const), actor, emits, afterEnd: fc.boolean() });
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        op: fc.constant('send' as const),
        client: node,
        actor,
        fail: fc.nat({ max: 4 }).map((n) => n === 0), // one send in five is refused
      }),
    },
    { weight: 6, arbitrary: fc.record({ op: fc.constant('process' as const), actor, emits }) },
    { weight: opts.crashes === false ? 0 : 1, arbitrary: crash },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('fail' as const), actor }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('move' as const), partition: fc.nat({ max: PARTITIONS - 1 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 100 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('jump' as const), node, ms: fc.integer({ min: -100, max: 0 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('clock' as const), node }) },
  );
}

export function scriptArb(
  opts: { crashes?: boolean; maxLength?: number; size?: fc.SizeForArbitrary } = {},
): fc.Arbitrary<Command[]> {
  return fc.array(commandArb(opts), { minLength: 5, maxLength: opts.maxLength ?? 50, size: opts.size ?? 'small' });
}

interface Hlc {
  l: number;
  c: number;
}

export function formatHlc(wall: number, logical: number, node: string): string {
  return wall.toString(16).padStart(12, '0') + logical.toString(16).padStart(4, '0') + node;
}

const parse = (s: string): Hlc => ({ l: parseInt(s.slice(0, 12), 16), c: parseInt(s.slice(12, 16), 16) });
const after = (a: Hlc, b: Hlc): boolean => a.l > b.l || (a.l === b.l && a.c > b.c);

/** Runs `script`, then drains every inbox, and returns what was recorded. */
export function simulate(script: readonly Command[]): History {
  const out: HistoryEvent[] = [];
  let time = 1_000_000;
  const skew = [0, 60];
  const jump = [0, 0];
  const clocks: Hlc[] = NODES.map(() => ({ l: 0, c: 0 }));
  const incarnation = NODES.map(() => 1);
  const owner = Array.from({ length: PARTITIONS }, (_, p) => ({ node: p % NODES.length, epoch: 1 }));
  const actors = ACTORS.map(() => ({
    inbox: [] as string[],
    outSeq: new Map<string, number>(),
    last: undefined as Hlc | undefined,
    failures: new Map<string, number>(),
  }));
  const clientSeq = new Map<string, number>();
  const events = new Map<string, { hlc: string }>();
  /** What a crashed handling emitted, so its replay re-emits exactly that. */
  const pending = new Map<string, SendRecord[]>();
  let counter = 0;

  const pt = (n: number): number => time + skew[n]! + jump[n]!;
  const at = (n: number): number => pt(n);
  const stamp = (n: number): string => {
    const k = clocks[n]!;
    const p = pt(n);
    if (p > k.l) clocks[n] = { l: p, c: 0 };
    else k.c++;
    return formatHlc(clocks[n]!.l, clocks[n]!.c, NODES[n]!);
  };
  const merge = (n: number, remote: Hlc): void => {
    const k = clocks[n]!;
    const l = Math.max(k.l, remote.l, pt(n));
    const c =
      l === k.l && l === remote.l ? Math.max(k.c, remote.c) + 1 : l === k.l ? k.c + 1 : l === remote.l ? remote.c + 1 : 0;
    clocks[n] = { l, c };
  };
  /** The log dedups by id for good (`Nats-Msg-Id`), not only while the id is queued. */
  const logged = new Set<string>();
  const append = (actor: number, id: string): void => {
    if (logged.has(id)) return;
    logged.add(id);
    actors[actor]!.inbox.push(id);
  };

  /** One handling of the head of `a`'s inbox; returns false when the inbox is empty. */
  const handle = (a: number, emits: number[], outcome: 'ok' | 'crash' | 'crash-after-end'): boolean => {
    const st = actors[a]!;
    const event = st.inbox[0];
    if (event === undefined) return false;
    const { node: n, epoch } = owner[partitionOf(a)]!;
    const node = NODES[n]!;
    const actor = ACTORS[a]!;
    const hlc = events.get(event)!.hlc;
    merge(n, parse(hlc));
    if (st.last) merge(n, st.last);
    out.push({ kind: 'start', node, at: at(n), event, actor, hlc, epoch });
    const seq = new Map(st.outSeq);
    const sends =
      pending.get(event)?.map((s) => ({ ...s, node, at: at(n) })) ??
      emits.map((target, i): SendRecord => {
        const to = ACTORS[target]!;
        const next = (seq.get(to) ?? 0) + 1;
        seq.set(to, next);
        const id = `${event}>${i}`;
        return { kind: 'send', node, at: at(n), event: id, from: actor, to, seq: next, hlc: stamp(n), causedBy: event, accepted: true };
      });
    for (const s of sends) {
      out.push(s);
      events.set(s.event, { hlc: s.hlc });
      append(ACTORS.indexOf(s.to as (typeof ACTORS)[number]), s.event);
    }
    if (outcome !== 'crash') out.push({ kind: 'end', node, at: at(n), event, actor, epoch, ok: true });
    if (outcome !== 'ok') {
      pending.set(event, sends);
      out.push({ kind: 'crash', node, at: at(n) }, { kind: 'restart', node, at: at(n) });
      clocks[n] = { l: 0, c: 0 };
      incarnation[n]!++;
      return true;
    }
    if (commits(a)) {
      const partition = partitionOf(a);
      out.push({ kind: 'commit', node, at: at(n), actor, epoch, partition, appliedEvents: [event], accepted: true });
    }
    for (const s of sends) seq.set(s.to, Math.max(seq.get(s.to) ?? 0, s.seq));
    st.outSeq = seq;
    for (const h of [parse(hlc), ...sends.map((s) => parse(s.hlc))]) if (!st.last || after(h, st.last)) st.last = h;
    st.inbox.shift();
    pending.delete(event);
    out.push({ kind: 'clock', node, at: at(n), hlc: stamp(n), physical: pt(n) });
    return true;
  };

  for (const cmd of script) {
    switch (cmd.op) {
      case 'send': {
        const n = cmd.client;
        const from = `client/${NODES[n]}/${incarnation[n]}`;
        const to = ACTORS[cmd.actor]!;
        const key = `${from}>${to}`;
        const seq = (clientSeq.get(key) ?? 0) + 1;
        const event = `c${++counter}`;
        const hlc = stamp(n);
        out.push({ kind: 'send', node: NODES[n]!, at: at(n), event, from, to, seq, hlc, accepted: !cmd.fail });
        if (cmd.fail) break;
        clientSeq.set(key, seq);
        events.set(event, { hlc });
        append(cmd.actor, event);
        break;
      }
      case 'process':
        handle(cmd.actor, cmd.emits, 'ok');
        break;
      case 'crash':
        handle(cmd.actor, cmd.emits, cmd.afterEnd && commits(cmd.actor) ? 'crash-after-end' : 'crash');
        break;
      case 'fail': {
        const st = actors[cmd.actor]!;
        const event = st.inbox[0];
        if (event === undefined || pending.has(event)) break;
        const { node: n, epoch } = owner[partitionOf(cmd.actor)]!;
        const node = NODES[n]!;
        const actor = ACTORS[cmd.actor]!;
        const hlc = events.get(event)!.hlc;
        merge(n, parse(hlc));
        out.push({ kind: 'start', node, at: at(n), event, actor, hlc, epoch });
        out.push({ kind: 'end', node, at: at(n), event, actor, epoch, ok: false });
        const failures = (st.failures.get(event) ?? 0) + 1;
        st.failures.set(event, failures);
        if (failures >= 2) {
          out.push({ kind: 'dead', node, at: at(n), event, reason: 'handler-failed' });
          st.inbox.shift();
        }
        break;
      }
      case 'move': {
        const o = owner[cmd.partition]!;
        owner[cmd.partition] = { node: (o.node + 1) % NODES.length, epoch: o.epoch + 1 };
        break;
      }
      case 'tick':
        time += cmd.ms;
        break;
      case 'jump':
        jump[cmd.node] = cmd.ms;
        break;
      case 'clock': {
        const n = cmd.node;
        out.push({ kind: 'clock', node: NODES[n]!, at: at(n), hlc: stamp(n), physical: pt(n) });
        break;
      }
    }
  }
  // Drain, so that every accepted event ends processed (or dead-lettered).
  for (let progress = true; progress; ) {
    progress = false;
    for (let a = 0; a < ACTORS.length; a++) while (handle(a, [], 'ok')) progress = true;
  }
  return out;
}

/**
 * The causal checker answers in one pass with vector clocks; this oracle answers the same
 * questions the slow, obvious way (explicit happened-before graph, reachability from every
 * send, all pairs) on crash-free simulated histories, after random damage: processings of one
 * actor swapped, or send stamps changed. Both must name exactly the same events.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { History, HistoryEvent, SendRecord } from '../testing/history.ts';
import { checkCausal } from '../testing/checkers/index.ts';
import { ACTORS, formatHlc, scriptArb, simulate } from './checkers-sim.ts';

interface Verdict {
  cycle: boolean;
  /** Events processed after an event they happened before (same receiver). */
  order: string[];
  /** Events with a predecessor to the same receiver whose hlc is not below theirs. */
  hlc: string[];
}

/**
 * Vertices: turns (the start followed by an ok end; without crashes there is one per event)
 * and sends. Edges: turn -> its sends -> the actor's next turn; send -> the turn processing
 * it; a client's sends chained in stamp order.
 */
function oracle(h: History): Verdict {
  const sends = new Map<string, SendRecord>();
  for (const r of h) if (r.kind === 'send' && r.accepted && !sends.has(r.event)) sends.set(r.event, r);
  const turns: { event: string; actor: string }[] = [];
  h.forEach((r, i) => {
    if (r.kind !== 'start') return;
    const end = h.slice(i + 1).find((e) => e.kind === 'end' && e.event === r.event && e.node === r.node);
    if (end?.kind === 'end' && end.ok) turns.push({ event: r.event, actor: r.actor });
  });
  const turnOf = new Map(turns.map((t, i) => [t.event, i]));
  const sendIds = [...sends.keys()];
  const sendVertex = new Map(sendIds.map((id, i) => [id, turns.length + i]));
  const edges: number[][] = Array.from({ length: turns.length + sendIds.length }, () => []);
  const byActor = new Map<string, number[]>();
  turns.forEach((t, i) => byActor.set(t.actor, [...(byActor.get(t.actor) ?? []), i]));
  const nextTurn = new Map<number, number>();
  for (const list of byActor.values()) {
    list.forEach((t, k) => {
      if (k + 1 < list.length) {
        edges[t]!.push(list[k + 1]!);
        nextTurn.set(t, list[k + 1]!);
      }
    });
  }
  const clients = new Map<string, SendRecord[]>();
  for (const s of sends.values()) {
    const v = sendVertex.get(s.event)!;
    const receiver = turnOf.get(s.event);
    if (receiver !== undefined) edges[v]!.push(receiver);
    if (s.causedBy === undefined) {
      const key = `${s.from}@${s.node}`;
      clients.set(key, [...(clients.get(key) ?? []), s]);
      continue;
    }
    const turn = turnOf.get(s.causedBy);
    if (turn === undefined) continue;
    edges[turn]!.push(v);
    const next = nextTurn.get(turn);
    if (next !== undefined) edges[v]!.push(next);
  }
  for (const list of clients.values()) {
    const ordered = [...list].sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0));
    for (let k = 1; k < ordered.length; k++) {
      edges[sendVertex.get(ordered[k - 1]!.event)!]!.push(sendVertex.get(ordered[k]!.event)!);
    }
  }

  const reach = (from: number): Set<number> => {
    const seen = new Set<number>();
    const stack = [...edges[from]!];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (seen.has(v)) continue;
      seen.add(v);
      stack.push(...edges[v]!);
    }
    return seen;
  };
  const cycle = edges.some((_, v) => reach(v).has(v));
  const before = (a: string, b: string): boolean => reach(sendVertex.get(a)!).has(sendVertex.get(b)!);

  const order = new Set<string>();
  for (const list of byActor.values()) {
    const events = list.map((t) => turns[t]!.event).filter((e) => sends.has(e));
    events.forEach((ej, j) => {
      if (events.slice(0, j).some((ei) => before(ej, ei))) order.add(ej);
    });
  }
  const hlc = new Set<string>();
  for (const s1 of sends.values()) {
    for (const s2 of sends.values()) {
      if (s1.to === s2.to && s1 !== s2 && s1.hlc >= s2.hlc && before(s1.event, s2.event)) hlc.add(s2.event);
    }
  }
  return { cycle, order: [...order].sort(), hlc: [...hlc].sort() };
}

type Damage =
  | { kind: 'swap'; actor: number; i: number; j: number }
  /** Restamps a send: at `wall`, or with the very stamp of another send (`copy`). */
  | { kind: 'stamp'; n: number; wall: number; copy: number | undefined };

const damageArb: fc.Arbitrary<Damage[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('swap' as const), actor: fc.nat({ max: ACTORS.length - 1 }), i: fc.nat(), j: fc.nat() }),
    fc.record({
      kind: fc.constant('stamp' as const),
      n: fc.nat(),
      wall: fc.integer({ min: -50, max: 400 }),
      copy: fc.option(fc.nat(), { nil: undefined }),
    }),
  ),
  { minLength: 1, maxLength: 3 },
);

/** Applies `damage`: renames events between two turns of an actor, or restamps a send. */
function damaged(h: History, damage: readonly Damage[]): History {
  let out = [...h];
  for (const d of damage) {
    if (d.kind === 'stamp') {
      const sendAt = out.flatMap((r, k) => (r.kind === 'send' ? [k] : []));
      if (sendAt.length === 0) continue;
      const k = sendAt[d.n % sendAt.length]!;
      const s = out[k] as SendRecord;
      const copied = d.copy === undefined ? undefined : (out[sendAt[d.copy % sendAt.length]!] as SendRecord).hlc;
      out[k] = { ...s, hlc: copied ?? formatHlc(1_000_000 + d.wall, d.n % 4, s.node) };
      continue;
    }
    const actor = ACTORS[d.actor]!;
    const starts = [...new Set(out.flatMap((r) => (r.kind === 'start' && r.actor === actor ? [r.event] : [])))];
    if (starts.length < 2) continue;
    const a = starts[d.i % starts.length]!;
    const b = starts[d.j % starts.length]!;
    const other = (id: string): string => (id === a ? b : id === b ? a : id);
    out = out.map((r): HistoryEvent => {
      if (r.kind === 'start' || r.kind === 'end' || r.kind === 'dead') return { ...r, event: other(r.event) };
      if (r.kind === 'commit') return { ...r, appliedEvents: r.appliedEvents.map(other) };
      return r;
    });
  }
  return out;
}

describe('checkCausal against a brute-force oracle', () => {
  it('names the same events on crash-free histories, damaged or not', () => {
    fc.assert(
      fc.property(scriptArb({ crashes: false, maxLength: 40, size: 'max' }), damageArb, (script, damage) => {
        const h = damaged(simulate(script), damage);
        const expected = oracle(h);
        const violations = checkCausal(h);
        const named = (kind: string): string[] =>
          violations
            .filter((v) => v.kind === kind)
            .map((v) => (v.events[kind === 'causal-order' ? 0 : 1] as SendRecord).event)
            .sort();
        if (expected.cycle) {
          // Past a cycle the two may legitimately differ (the checker drops one wait).
          expect(violations.some((v) => v.kind === 'causal-cycle')).toBe(true);
          return;
        }
        expect(violations.filter((v) => v.kind === 'causal-cycle')).toEqual([]);
        expect(named('causal-order')).toEqual(expected.order);
        expect(named('causal-hlc')).toEqual(expected.hlc);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * The checkers stay fast on large histories: 100k records over 200 actors on 3 nodes, with
 * causal chains criss-crossing the actors (so vector clocks fill up). A guard against
 * quadratic behaviour (which would take minutes here), not a benchmark.
 */

import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../testing/history.ts';
import { checkAll, formatReport } from '../testing/checkers/index.ts';
import { formatHlc } from './checkers-sim.ts';

/** A valid history: one clock for all (ever rising), every inbox processed in order. */
function bigHistory(records: number, actors: number, seed: number): HistoryEvent[] {
  let state = seed;
  // mulberry32
  const random = (n: number): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * n | 0;
  };
  const nodes = ['n1', 'n2', 'n3'];
  const out: HistoryEvent[] = [];
  const inbox: string[][] = Array.from({ length: actors }, () => []);
  const pendingActors: number[] = [];
  const seq = new Map<string, number>();
  let tick = 0;
  let id = 0;
  const stamp = (node: string): string => {
    tick++;
    return formatHlc(1_000_000 + Math.floor(tick / 1000), tick % 1000, node);
  };
  const hlcOf = new Map<string, string>();
  const sendTo = (from: string, node: string, to: number, causedBy?: string): void => {
    const key = `${from}>${to}`;
    const s = (seq.get(key) ?? 0) + 1;
    seq.set(key, s);
    const event = `e${++id}`;
    const hlc = stamp(node);
    hlcOf.set(event, hlc);
    out.push({ kind: 'send', node, at: 0, event, from, to: `a/${to}`, seq: s, hlc, accepted: true, ...(causedBy ? { causedBy } : {}) });
    inbox[to]!.push(event);
    pendingActors.push(to);
  };
  while (out.length < records) {
    if (pendingActors.length === 0 || random(3) === 0) {
      const c = random(20);
      sendTo(`client/${nodes[c % 3]}/1`, nodes[c % 3]!, random(actors));
      continue;
    }
    const a = pendingActors.splice(random(pendingActors.length), 1)[0]!;
    const event = inbox[a]!.shift()!;
    const node = nodes[a % 3]!;
    const actor = `a/${a}`;
    out.push({ kind: 'start', node, at: 0, event, actor, hlc: hlcOf.get(event)!, epoch: 1 });
    if (random(2) === 0) sendTo(actor, node, random(actors), event);
    out.push({ kind: 'end', node, at: 0, event, actor, epoch: 1, ok: true });
    out.push({ kind: 'commit', node, at: 0, actor, epoch: 1, partition: a % 64, appliedEvents: [event], accepted: true });
  }
  // Drain what is left.
  for (const [a, events] of inbox.entries()) {
    for (const event of events) {
      const node = nodes[a % 3]!;
      const actor = `a/${a}`;
      out.push({ kind: 'start', node, at: 0, event, actor, hlc: hlcOf.get(event)!, epoch: 1 });
      out.push({ kind: 'end', node, at: 0, event, actor, epoch: 1, ok: true });
      out.push({ kind: 'commit', node, at: 0, actor, epoch: 1, partition: a % 64, appliedEvents: [event], accepted: true });
    }
  }
  return out;
}

describe('checkers at scale', () => {
  it('check 100k records in seconds', () => {
    const history = bigHistory(100_000, 200, 7);
    const t0 = performance.now();
    const report = checkAll(history);
    const ms = performance.now() - t0;
    expect(report.ok, formatReport(report)).toBe(true);
    expect(ms).toBeLessThan(10_000);
    console.log(`checkAll on ${history.length} records: ${ms.toFixed(0)} ms`);
  });
});

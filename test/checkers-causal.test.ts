/**
 * Hand-made histories for the causal checker. The running example: client C sends `a` to
 * R, then `b` to Y; Y's turn on `b` emits `c` to R. So a -> c, and R must process a first.
 */

import { describe, expect, it } from 'vitest';
import type { History, HistoryEvent } from '../testing/history.ts';
import { checkCausal } from '../testing/checkers/index.ts';
import { commit, end, hlc, processed, send, start } from './checkers-records.ts';

const C = 'client/n1/1';
const D = 'client/n2/1';
const R = 'acct/r';
const Y = 'acct/y';
const X = 'acct/x';

const a = send('a', C, R, 1, hlc(1));
const b = send('b', C, Y, 1, hlc(2));
const c = send('c', Y, R, 1, hlc(3), { causedBy: 'b' });
/** Y processes b, emitting `emitted` (c unless given). */
const yTurn = (emitted: HistoryEvent = c): HistoryEvent[] => [
  start('b', Y, hlc(2)),
  emitted,
  end('b', Y),
  commit(Y, ['b']),
];

describe('checkCausal', () => {
  it('accepts the chain processed in causal order', () => {
    const history: History = [a, b, ...yTurn(), ...processed('a', R, hlc(1)), ...processed('c', R, hlc(3))];
    expect(checkCausal(history)).toEqual([]);
  });

  it('reports an effect processed before its cause, with both sends and processings', () => {
    const history: History = [a, b, ...yTurn(), ...processed('c', R, hlc(3)), ...processed('a', R, hlc(1))];
    const violations = checkCausal(history);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toEqual({
      checker: 'causal',
      kind: 'causal-order',
      message: `'${R}' processed 'c' before 'a', though 'a' happened before 'c'`,
      events: [a, c, history[6], history[9]],
    });
  });

  it('finds the inversion across events in between (not only neighbours)', () => {
    const z = send('z', D, R, 1, hlc(0, 0, 'n2'), { node: 'n2' });
    const history: History = [
      a,
      b,
      z,
      ...yTurn(),
      ...processed('c', R, hlc(3)),
      ...processed('z', R, hlc(0, 0, 'n2')),
      ...processed('a', R, hlc(1)),
    ];
    expect(checkCausal(history).map((v) => v.message)).toEqual([
      `'${R}' processed 'c' before 'a', though 'a' happened before 'c'`,
    ]);
  });

  it('follows a chain through several actors', () => {
    // C: a -> R, then b2 -> X; X's turn emits x1 -> Y; Y's turn emits y1 -> R. So a -> y1.
    const b2 = send('b2', C, X, 1, hlc(2));
    const chain: HistoryEvent[] = [
      a,
      b2,
      start('b2', X, hlc(2)),
      send('x1', X, Y, 1, hlc(3), { causedBy: 'b2' }),
      end('b2', X),
      commit(X, ['b2']),
      start('x1', Y, hlc(3)),
      send('y1', Y, R, 1, hlc(4), { causedBy: 'x1' }),
      end('x1', Y),
      commit(Y, ['x1']),
    ];
    const inOrder = [...chain, ...processed('a', R, hlc(1)), ...processed('y1', R, hlc(4))];
    const reversed = [...chain, ...processed('y1', R, hlc(4)), ...processed('a', R, hlc(1))];
    expect(checkCausal(inOrder)).toEqual([]);
    expect(checkCausal(reversed).map((v) => v.message)).toEqual([
      `'${R}' processed 'y1' before 'a', though 'a' happened before 'y1'`,
    ]);
  });

  it('reports the HLC clause separately: a -> c but hlc(a) >= hlc(c)', () => {
    const low = send('c', Y, R, 1, hlc(1), { causedBy: 'b' });
    const history: History = [a, b, ...yTurn(low), ...processed('a', R, hlc(1)), ...processed('c', R, hlc(1))];
    expect(checkCausal(history)).toEqual([
      {
        checker: 'causal',
        kind: 'causal-hlc',
        message: `'a' happened before 'c' (both to '${R}') but its hlc ${hlc(1)} is not below ${hlc(1)}`,
        events: [a, low],
      },
    ]);
  });

  it('accepts concurrent events in either order', () => {
    const d = send('d', D, R, 1, hlc(0, 0, 'n2'), { node: 'n2' });
    const one: History = [a, d, ...processed('a', R, hlc(1)), ...processed('d', R, hlc(0, 0, 'n2'))];
    const other: History = [a, d, ...processed('d', R, hlc(0, 0, 'n2')), ...processed('a', R, hlc(1))];
    expect(checkCausal(one)).toEqual([]);
    expect(checkCausal(other)).toEqual([]);
  });

  it('does not order what follows one send of a turn after its siblings', () => {
    // Y's turn emits c -> R and d -> X together; X forwards d as f -> R. f may overtake c.
    const d = send('d', Y, X, 1, hlc(4), { causedBy: 'b' });
    const f = send('f', X, R, 1, hlc(5), { causedBy: 'd' });
    const history: History = [
      b,
      start('b', Y, hlc(2)),
      c,
      d,
      end('b', Y),
      commit(Y, ['b']),
      start('d', X, hlc(4)),
      f,
      end('d', X),
      commit(X, ['d']),
      ...processed('f', R, hlc(5)),
      ...processed('c', R, hlc(3)),
    ];
    expect(checkCausal(history)).toEqual([]);
  });

  it("orders a turn's sends before the actor's next turn", () => {
    // Y: turn on b emits c -> R; turn on b2 emits g -> X; X forwards g as h -> R. c -> h.
    const b2 = send('b2', C, Y, 2, hlc(5));
    const g = send('g', Y, X, 1, hlc(6), { causedBy: 'b2' });
    const h = send('h', X, R, 1, hlc(7), { causedBy: 'g' });
    const history: History = [
      b,
      b2,
      ...yTurn(),
      start('b2', Y, hlc(5)),
      g,
      end('b2', Y),
      commit(Y, ['b2']),
      start('g', X, hlc(6)),
      h,
      end('g', X),
      commit(X, ['g']),
      ...processed('h', R, hlc(7)),
      ...processed('c', R, hlc(3)),
    ];
    expect(checkCausal(history).map((v) => v.message)).toEqual([
      `'${R}' processed 'h' before 'c', though 'c' happened before 'h'`,
    ]);
  });

  it('reports an event processed before the turn that emitted it (a cycle)', () => {
    // R's turn on a emits s back to R, but R's effective processing of s comes first.
    const s = send('s', R, R, 1, hlc(2), { causedBy: 'a' });
    const history: History = [
      a,
      ...processed('s', R, hlc(2)),
      start('a', R, hlc(1)),
      s,
      end('a', R),
      commit(R, ['a']),
    ];
    const [v, ...rest] = checkCausal(history);
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ kind: 'causal-cycle', events: [s, history[1]] });
    expect(v!.message).toBe(`causal cycle: 's' at '${R}' each processed before the turn that emitted it could run`);
  });

  it("orders a client's sends by their stamps, not by when they were recorded", () => {
    // C issued a then b concurrently; b's send completed (and was recorded) first.
    const history: History = [b, a, ...yTurn(), ...processed('c', R, hlc(3)), ...processed('a', R, hlc(1))];
    expect(checkCausal(history).map((v) => v.kind)).toEqual(['causal-order']);
  });
});

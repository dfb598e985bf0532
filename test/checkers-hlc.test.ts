/**
 * Hand-made histories for the HLC checker (G1).
 */

import { describe, expect, it } from 'vitest';
import type { History } from '../testing/history.ts';
import { checkHlc } from '../testing/checkers/index.ts';
import { clock, crash, restart, send, start } from './checkers-records.ts';
import { formatHlc } from './checkers-sim.ts';

const C = 'client/n1/1';
const R = 'acct/r';
const S = 'acct/s';
const T0 = 1_000_000;
const at = (ms: number, logical = 0, node = 'n1'): string => formatHlc(T0 + ms, logical, node);

describe('checkHlc', () => {
  it('accepts rising readings that stay above what was received and near physical time', () => {
    const history: History = [
      clock(at(0), T0),
      send('e1', C, R, 1, at(0, 1)),
      start('r1', R, at(5, 3, 'n2')), // a remote stamp 5 ms ahead
      clock(at(5, 4), T0 + 1), // merged: physical 1, wall 5
      send('r1>0', R, S, 1, at(5, 5), { causedBy: 'r1' }),
      clock(at(5, 6), T0 - 100), // physical clock jumped back: logical counts on
      clock(at(500), T0 + 0), // exactly maxOffset ahead
    ];
    expect(checkHlc(history)).toEqual([]);
  });

  it('accepts sends recorded in completion order rather than stamp order', () => {
    const history: History = [
      clock(at(1), T0 + 1),
      send('e2', C, R, 2, at(3)), // e1 (stamped at 2) is still being appended
      send('e1', C, R, 1, at(2)),
      clock(at(4), T0 + 4),
    ];
    expect(checkHlc(history)).toEqual([]);
  });

  it('reports a malformed stamp on any record kind', () => {
    const history: History = [
      send('e1', C, R, 1, 'nope'),
      start('e2', R, at(1).toUpperCase()),
      clock(at(1).slice(0, 16), T0),
    ];
    const violations = checkHlc(history);
    expect(violations.map((v) => v.kind)).toEqual(['hlc-malformed', 'hlc-malformed', 'hlc-malformed']);
    expect(violations[0]).toMatchObject({ message: `send on n1 carries malformed hlc "nope"`, events: [history[0]] });
  });

  it('reports clock readings that do not strictly increase on a node', () => {
    const history: History = [
      clock(at(5, 1), T0 + 5),
      clock(at(5, 1), T0 + 5), // equal
      clock(at(6), T0 + 6, { node: 'n2' }), // other node: its own sequence
      clock(at(4, 9), T0 + 5), // lower
    ];
    const violations = checkHlc(history);
    expect(violations.map((v) => v.message)).toEqual([
      `clock reading on n1 is ${at(5, 1)}, not above its earlier reading ${at(5, 1)}`,
      `clock reading on n1 is ${at(4, 9)}, not above its earlier reading ${at(5, 1)}`,
    ]);
    expect(violations[1]!.events).toEqual([history[1], history[3]]);
  });

  it('reports a reading not above a stamp the node issued before it', () => {
    const history: History = [send('e1', C, R, 1, at(7)), clock(at(6), T0 + 6)];
    expect(checkHlc(history).map((v) => v.message)).toEqual([
      `clock reading on n1 is ${at(6)}, not above the stamp of 'e1' it issued ${at(7)}`,
    ]);
  });

  it('reports a reading not above a stamp the node already received', () => {
    const history: History = [clock(at(1), T0 + 1), start('r1', R, at(50, 0, 'n2')), clock(at(2), T0 + 2)];
    expect(checkHlc(history)).toEqual([
      {
        checker: 'hlc',
        kind: 'hlc-receive',
        message: `clock reading on n1 is ${at(2)}, not above the stamp of 'r1' it received ${at(50, 0, 'n2')}`,
        events: [history[1], history[2]],
      },
    ]);
  });

  it('reports an emitted stamp not above what the node had when the processing started', () => {
    const history: History = [
      clock(at(9), T0 + 9),
      start('r1', R, at(3, 0, 'n2')),
      send('r1>0', R, S, 1, at(8), { causedBy: 'r1' }),
      start('r2', R, at(20, 0, 'n2')),
      send('r2>0', R, S, 2, at(20), { causedBy: 'r2' }),
    ];
    expect(checkHlc(history).map((v) => [v.kind, v.message])).toEqual([
      ['hlc-not-increasing', `send of 'r1>0' on n1 is ${at(8)}, not above its earlier reading ${at(9)}`],
      ['hlc-receive', `send of 'r2>0' on n1 is ${at(20)}, not above the stamp of 'r2' it received ${at(20, 0, 'n2')}`],
    ]);
  });

  it('reports two sends of a node with the same stamp', () => {
    const history: History = [send('e1', C, R, 1, at(3)), send('e2', C, S, 1, at(3))];
    expect(checkHlc(history)).toEqual([
      {
        checker: 'hlc',
        kind: 'hlc-not-increasing',
        message: `sends of 'e1' and 'e2' on n1 carry the same stamp ${at(3)}`,
        events: [history[0], history[1]],
      },
    ]);
  });

  it('reports l - pt beyond maxOffsetMs (option, default 500)', () => {
    const history: History = [clock(at(501), T0)];
    expect(checkHlc(history).map((v) => v.message)).toEqual([
      'clock on n1 reads 501 ms ahead of physical time (max offset 500 ms)',
    ]);
    expect(checkHlc(history, { maxOffsetMs: 600 })).toEqual([]);
  });

  it('does not count a re-sent stamp as a new one', () => {
    const history: History = [
      start('e1', R, at(2, 0, 'n2')),
      send('e1>0', R, S, 1, at(3), { causedBy: 'e1' }),
      clock(at(4), T0 + 4),
      send('e1>0', R, S, 1, at(3), { causedBy: 'e1' }), // a replay re-sends the envelope
      start('e1', R, at(2, 0, 'n2'), { node: 'n2', epoch: 2 }),
      clock(at(9, 0, 'n2'), T0 + 9, { node: 'n2' }),
      send('e1>0', R, S, 1, at(3), { causedBy: 'e1', node: 'n2' }), // and after a move
    ];
    expect(checkHlc(history)).toEqual([]);
  });

  it('starts a node afresh after a crash or restart', () => {
    const history: History = [
      clock(at(9), T0 + 9),
      start('r1', R, at(20, 0, 'n2')),
      crash('n1'),
      restart('n1'),
      clock(at(1), T0 + 1),
    ];
    expect(checkHlc(history)).toEqual([]);
  });
});

/**
 * Hand-made histories for the FIFO and exactly-once checkers and for `checkAll` /
 * `summarize`: each valid one passes, each broken one is reported with its records.
 */

import { describe, expect, it } from 'vitest';
import type { History } from '../testing/history.ts';
import { checkAll, checkExactlyOnce, checkFifo, formatReport, summarize } from '../testing/checkers/index.ts';
import { clock, commit, crash, dead, end, hlc, processed, restart, send, start } from './checkers-records.ts';

const C = 'client/n1/1';
const R = 'acct/r';

describe('checkFifo', () => {
  it('accepts a channel processed in seq order, failed sends aside', () => {
    const history: History = [
      send('e1', C, R, 1, hlc(1)),
      send('x', C, R, 2, hlc(2), { accepted: false }),
      send('e2', C, R, 2, hlc(3)),
      ...processed('e1', R, hlc(1)),
      ...processed('e2', R, hlc(3)),
    ];
    expect(checkFifo(history)).toEqual([]);
  });

  it('reports a later seq processed first, with both sends and processings', () => {
    const history: History = [
      send('e1', C, R, 1, hlc(1)),
      send('e2', C, R, 2, hlc(2)),
      ...processed('e2', R, hlc(2)),
      ...processed('e1', R, hlc(1)),
    ];
    const [v, ...rest] = checkFifo(history);
    expect(rest).toEqual([]);
    expect(v!.kind).toBe('fifo-order');
    expect(v!.message).toBe(`'${C}' -> '${R}': seq 2 ('e2') was processed before seq 1 ('e1')`);
    expect(v!.events).toEqual([history[0], history[1], history[2], history[5]]);
  });

  it('judges by the effective (committed) processing, not the first attempt', () => {
    // e1 ran first but its commit was refused; its committed replay comes after e2.
    const history: History = [
      send('e1', C, R, 1, hlc(1)),
      send('e2', C, R, 2, hlc(2)),
      start('e1', R, hlc(1)),
      end('e1', R),
      commit(R, ['e1'], { accepted: false }),
      ...processed('e2', R, hlc(2), { node: 'n2', epoch: 2 }),
      ...processed('e1', R, hlc(1), { node: 'n2', epoch: 2 }),
    ];
    expect(checkFifo(history).map((v) => v.kind)).toEqual(['fifo-order']);
  });

  it('orders processings on different nodes by epoch, not by where nodes landed in the file', () => {
    // Merged from two files: n2's (epoch 2) came first. Epoch 1 on n1 still precedes it.
    const history: History = [
      ...processed('e2', R, hlc(2), { node: 'n2', epoch: 2 }),
      send('e1', C, R, 1, hlc(1)),
      send('e2', C, R, 2, hlc(2)),
      ...processed('e1', R, hlc(1)),
    ];
    expect(checkFifo(history)).toEqual([]);
  });

  it('reports two accepted events sharing one seq', () => {
    const history: History = [send('e1', C, R, 1, hlc(1)), send('e2', C, R, 1, hlc(2))];
    const [v] = checkFifo(history);
    expect(v).toMatchObject({ kind: 'fifo-seq-reuse', events: [history[0], history[1]] });
    expect(v!.message).toContain(`seq 1 carried by both 'e1' and 'e2'`);
  });
});

describe('checkExactlyOnce', () => {
  it('accepts processed, dead-lettered and replay-re-emitted events', () => {
    const history: History = [
      send('e1', C, R, 1, hlc(1)),
      send('e2', C, R, 2, hlc(2)),
      // first handling of e1 emits e1>0, crashes before its commit; the replay re-emits it
      start('e1', R, hlc(1)),
      send('e1>0', R, 'acct/s', 1, hlc(3), { causedBy: 'e1' }),
      crash('n1'),
      restart('n1'),
      start('e1', R, hlc(1)),
      send('e1>0', R, 'acct/s', 1, hlc(3), { causedBy: 'e1' }),
      end('e1', R),
      commit(R, ['e1']),
      ...processed('e1>0', 'acct/s', hlc(3)),
      start('e2', R, hlc(2)),
      end('e2', R, { ok: false }),
      dead('e2'),
    ];
    expect(checkExactlyOnce(history)).toEqual([]);
  });

  it('reports an accepted event never processed nor dead-lettered', () => {
    const history: History = [send('e1', C, R, 1, hlc(1)), start('e1', R, hlc(1)), end('e1', R, { ok: false })];
    expect(checkExactlyOnce(history)).toEqual([
      {
        checker: 'exactly-once',
        kind: 'lost',
        message: `'e1' to '${R}' was accepted but never processed nor dead-lettered`,
        events: [history[0]],
      },
    ]);
  });

  it('does not owe anything for a send that failed to its caller', () => {
    expect(checkExactlyOnce([send('e1', C, R, 1, hlc(1), { accepted: false })])).toEqual([]);
  });

  it('counts one write reported twice (writer and a recovering owner) once', () => {
    const history: History = [send('e1', C, R, 1, hlc(1)), ...processed('e1', R, hlc(1)), commit(R, ['e1'], { recovered: true })];
    expect(checkExactlyOnce(history)).toEqual([]);
  });

  it('reports an effect committed twice', () => {
    const history: History = [send('e1', C, R, 1, hlc(1)), ...processed('e1', R, hlc(1)), commit(R, ['e1'], { epoch: 2, node: 'n2' })];
    const [v] = checkExactlyOnce(history);
    expect(v).toMatchObject({ kind: 'duplicate', events: [history[0], history[3], history[4]] });
    expect(v!.message).toBe(`'e1' to '${R}' took effect 2 time(s)`);
  });

  it('reports two ok ends for an actor that records no commits', () => {
    const history: History = [
      send('e1', C, R, 1, hlc(1)),
      ...processed('e1', R, hlc(1), { commit: false }),
      ...processed('e1', R, hlc(1), { commit: false, node: 'n2', epoch: 2 }),
    ];
    expect(checkExactlyOnce(history).map((v) => v.kind)).toEqual(['duplicate']);
  });

  it('reports an event both processed and dead-lettered', () => {
    const history: History = [send('e1', C, R, 1, hlc(1)), ...processed('e1', R, hlc(1)), dead('e1')];
    const [v] = checkExactlyOnce(history);
    expect(v!.message).toBe(`'e1' to '${R}' took effect 1 time(s) and was dead-lettered 1 time(s)`);
  });

  it('reports one id re-emitted with another target or seq', () => {
    const history: History = [
      send('e1>0', R, 'acct/s', 1, hlc(1), { causedBy: 'e1' }),
      send('e1>0', R, 'acct/t', 1, hlc(2), { causedBy: 'e1' }),
      ...processed('e1>0', 'acct/s', hlc(1)),
    ];
    const [v] = checkExactlyOnce(history);
    expect(v).toMatchObject({ kind: 'conflicting-emission', events: [history[0], history[1]] });
    expect(v!.message).toBe(`'e1>0' was sent as '${R}' -> 'acct/s' seq 1 and as '${R}' -> 'acct/t' seq 1`);
  });
});

describe('checkAll and summarize', () => {
  it('count each kind of violation', () => {
    const history: History = [
      clock(hlc(0), 1_000_000 - 600), // 600 ms ahead of physical time
      send('lost', C, R, 1, hlc(1)),
      send('twice', C, R, 2, hlc(2)),
      ...processed('twice', R, hlc(2)),
      commit(R, ['twice'], { epoch: 2 }),
    ];
    const report = checkAll(history);
    expect(report.ok).toBe(false);
    expect(report.summary).toEqual({
      lost: 1,
      duplicates: 1,
      conflictingEmissions: 0,
      fifoViolations: 0,
      causalViolations: 0,
      doubleActivations: 0,
      staleWrites: 0,
      hlcViolations: 1,
    });
    expect(summarize(history)).toEqual(report.summary);
    expect(report.violations.exactlyOnce).toHaveLength(2);
    expect(formatReport(report)).toMatch(/^3 violation\(s\): lost=1 duplicates=1 hlcViolations=1\n- \[/);
  });

  it('is ok on the empty history and rejects nonsense options', () => {
    expect(checkAll([]).ok).toBe(true);
    expect(formatReport(checkAll([]))).toBe('no violations');
    expect(() => checkAll([], { order: 'sideways' as 'global' })).toThrow(/invalid option 'order'/);
    expect(() => checkAll([], { maxOffsetMs: -1 })).toThrow(/invalid option 'maxOffsetMs'/);
  });
});

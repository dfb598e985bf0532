/**
 * Hand-made histories for the single-activation checker (G2), in both trust modes.
 */

import { describe, expect, it } from 'vitest';
import type { History } from '../testing/history.ts';
import { checkSingleActivation } from '../testing/checkers/index.ts';
import { commit, crash, end, hlc, processed, restart, start } from './checkers-records.ts';

const R = 'acct/r';
const S = 'acct/s';

describe('checkSingleActivation', () => {
  it('accepts turns one at a time, ownership moving up in epochs, and crashed turns', () => {
    const history: History = [
      ...processed('e1', R, hlc(1)),
      ...processed('e2', S, hlc(2)),
      start('e3', R, hlc(3)), // never ends: n1 crashes
      crash('n1'),
      ...processed('e3', R, hlc(3), { node: 'n2', epoch: 2 }),
      restart('n1'),
      ...processed('e4', R, hlc(4), { node: 'n1', epoch: 3 }),
      commit(R, [], { epoch: 2, node: 'n2', accepted: false }), // refused: fine
    ];
    expect(checkSingleActivation(history)).toEqual([]);
  });

  it('accepts turns of different actors interleaved on one node', () => {
    const history: History = [start('e1', R, hlc(1)), start('e2', S, hlc(2)), end('e1', R), end('e2', S)];
    expect(checkSingleActivation(history)).toEqual([]);
  });

  it('reports a start on another node while a turn is open', () => {
    const history: History = [
      start('e1', R, hlc(1)),
      start('e2', R, hlc(2), { node: 'n2', epoch: 2 }),
      end('e1', R),
      end('e2', R, { node: 'n2', epoch: 2 }),
    ];
    expect(checkSingleActivation(history)).toEqual([
      {
        checker: 'single-activation',
        kind: 'double-activation',
        message: `'${R}' started 'e2' on n2 (epoch 2) while 'e1' was being processed on n1 (epoch 1)`,
        events: [history[0], history[1]],
      },
    ]);
  });

  it('accepts a fenced-off turn that never completes (a paused owner drops it on waking)', () => {
    const history: History = [
      start('e1', R, hlc(1)), // n1 pauses mid-turn; its lease expires
      ...processed('e1', R, hlc(1), { node: 'n2', epoch: 2 }),
      end('e1', R, { ok: false }), // n1 wakes, learns it lost the partition, drops the turn
    ];
    expect(checkSingleActivation(history)).toEqual([]);
    // Completing it is harmless while the store refuses the stale write...
    const refused: History = [start('e1', R, hlc(1)), ...processed('e1', R, hlc(1), { node: 'n2', epoch: 2 }), end('e1', R), commit(R, ['e1'], { accepted: false })];
    expect(checkSingleActivation(refused)).toEqual([]);
    // ...and a double activation once the store accepts it.
    const accepted: History = [start('e1', R, hlc(1)), ...processed('e1', R, hlc(1), { node: 'n2', epoch: 2 }), end('e1', R), commit(R, ['e1'], { partition: 1 })];
    expect(checkSingleActivation(accepted).map((v) => v.kind)).toEqual(['double-activation']);
  });

  it('reports two turns of one actor at once on the same node', () => {
    const history: History = [start('e1', R, hlc(1)), start('e2', R, hlc(2)), end('e2', R), end('e1', R)];
    const [v] = checkSingleActivation(history);
    expect(v!.message).toBe(`'${R}' started 'e2' on n1 while 'e1' was still being processed there`);
  });

  it('reports an old owner processing after a newer epoch began', () => {
    const history: History = [
      ...processed('e1', R, hlc(1), { node: 'n2', epoch: 2 }),
      ...processed('e2', R, hlc(2), { node: 'n1', epoch: 1, commit: false }),
    ];
    const [v, ...rest] = checkSingleActivation(history);
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ kind: 'double-activation', events: [history[0], history[3]] });
    expect(v!.message).toBe(`'${R}' processed 'e2' on n1 under epoch 1 after epoch 2 began on n2`);
  });

  it('reports an accepted write under an epoch older than one already written', () => {
    const history: History = [commit(R, [], { epoch: 3, node: 'n2' }), commit(S, [], { epoch: 2 })];
    expect(checkSingleActivation(history)).toEqual([
      {
        checker: 'single-activation',
        kind: 'stale-write',
        message: `partition 0: write of '${S}' under epoch 2 by n1 was accepted after epoch 3 had written`,
        events: [history[0], history[1]],
      },
    ]);
  });

  it('reports one epoch used by two nodes', () => {
    const history: History = [...processed('e1', R, hlc(1)), ...processed('e2', R, hlc(2), { node: 'n2' })];
    const [v] = checkSingleActivation(history);
    expect(v).toMatchObject({ kind: 'double-activation', events: [history[0], history[3]] });
    expect(v!.message).toBe(`epoch 1 of '${R}' was used by both n1 and n2`);
  });

  describe("with order 'per-node' (merged files)", () => {
    it('ignores how nodes interleave, even a turn left open by a kill', () => {
      const history: History = [
        start('e1', R, hlc(1)), // n1 was SIGKILLed: no end, no crash record
        ...processed('e0', R, hlc(0), { node: 'n2', epoch: 2 }),
        commit(S, [], { epoch: 1 }),
      ];
      expect(checkSingleActivation(history, { order: 'global' }).length).toBeGreaterThan(0);
      expect(checkSingleActivation(history, { order: 'per-node' })).toEqual([]);
    });

    it('still reports epochs going backwards within a node, and shared epochs', () => {
      const history: History = [
        ...processed('e1', R, hlc(1), { epoch: 2 }),
        ...processed('e2', S, hlc(2), { node: 'n2', epoch: 1 }),
        ...processed('e3', R, hlc(3), { epoch: 1 }),
        ...processed('e4', S, hlc(4), { epoch: 1, partition: 1 }),
      ];
      expect(checkSingleActivation(history, { order: 'per-node' }).map((v) => v.message)).toEqual([
        `'${R}' processed 'e3' on n1 under epoch 1 after epoch 2 began on n1`,
        `partition 0: write of '${R}' under epoch 1 by n1 was accepted after epoch 2 had written`,
        `epoch 1 of '${S}' was used by both n2 and n1`,
      ]);
    });
  });
});

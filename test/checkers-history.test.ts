/**
 * The history record format: JSON lines in, validated records out.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryParseError, parseJsonLines, toJsonLines } from '../testing/history.ts';
import { scriptArb, simulate } from './checkers-sim.ts';

describe('parseJsonLines', () => {
  it('reads back what toJsonLines wrote', () => {
    fc.assert(
      fc.property(scriptArb({ maxLength: 20 }), (script) => {
        const history = simulate(script);
        expect(parseJsonLines(toJsonLines(history))).toEqual(history);
      }),
      { numRuns: 20 },
    );
  });

  it('skips blank lines and keeps extra fields', () => {
    const text = '\n{"kind":"crash","node":"n1","at":1,"pid":42}\n\n  \n{"kind":"restart","node":"n1","at":2}';
    expect(parseJsonLines(text)).toEqual([
      { kind: 'crash', node: 'n1', at: 1, pid: 42 },
      { kind: 'restart', node: 'n1', at: 2 },
    ]);
  });

  it.each([
    ['{"kind":"crash","node":"n1","at":1', 'not valid JSON'],
    ['[1,2]', 'not a JSON object'],
    ['{"kind":"boot","node":"n1","at":1}', 'unknown kind: "boot"'],
    ['{"kind":"dead","node":"n1","at":1,"reason":"x"}', `'dead' field 'event' must be a string (got missing)`],
    [
      '{"kind":"send","node":"n1","at":1,"event":"e","from":"c","to":"a/1","seq":1.5,"hlc":"h","accepted":true}',
      `'send' field 'seq' must be an integer (got 1.5)`,
    ],
    [
      '{"kind":"commit","node":"n1","at":1,"actor":"a/1","epoch":1,"partition":0,"appliedEvents":[1],"accepted":true}',
      `'commit' field 'appliedEvents' must be an array of strings (got [1])`,
    ],
    [
      '{"kind":"send","node":"n1","at":1,"event":"e","from":"c","to":"a/1","seq":1,"hlc":"h","causedBy":7,"accepted":true}',
      `'send' field 'causedBy' must be a string when present (got 7)`,
    ],
  ])('names the line and the problem: %s', (line, reason) => {
    const text = `{"kind":"crash","node":"n1","at":1}\n\n${line}\n`;
    let error: unknown;
    try {
      parseJsonLines(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HistoryParseError);
    expect(error).toMatchObject({ name: 'HistoryParseError', line: 3, reason });
    expect((error as Error).message).toBe(`invalid history record on line 3: ${reason}`);
  });
});

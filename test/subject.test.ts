/** Subject validation, wildcard matching, and the trie index agreeing with `matches`. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../runtime/errors.ts';
import { matches, SubjectIndex, validatePattern, validateSubject } from '../runtime/subject.ts';

describe('matches', () => {
  const table: [pattern: string, subject: string, expected: boolean][] = [
    ['a.b.c', 'a.b.c', true],
    ['a.b.c', 'a.b', false],
    ['a.b', 'a.b.c', false],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.b.d', false],
    ['a.*', 'a.b', true],
    ['a.*', 'a', false],
    ['a.*', 'a.b.c', false],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['*.*', 'a.b', true],
    ['a.>', 'a.b', true],
    ['a.>', 'a.b.c.d', true],
    ['a.>', 'a', false],
    ['a.>', 'b.c', false],
    ['>', 'a', true],
    ['>', 'a.b.c', true],
    ['*.b.>', 'a.b.c', true],
    ['*.b.>', 'a.b', false],
    ['*.b.>', 'a.x.c', false],
    ['account.*', 'account.opened', true],
    ['account.*', 'accounts.opened', false],
  ];
  it.each(table)('%s ~ %s -> %s', (pattern, subject, expected) => {
    expect(matches(pattern, subject)).toBe(expected);
  });
});

describe('validation', () => {
  const badPatterns: [string, RegExp][] = [
    ['', /non-empty/],
    ['a..b', /empty token/],
    ['.a', /empty token/],
    ['a.', /empty token/],
    ['a.>.b', /'>' is only allowed as the last token/],
    ['a b', /whitespace/],
    ['a.\tb', /whitespace/],
    ['a*.b', /whole tokens/],
    ['a.b>', /whole tokens/],
  ];
  it.each(badPatterns)('rejects pattern %j', (pattern, reason) => {
    expect(() => validatePattern(pattern)).toThrow(InvalidOptionError);
    expect(() => validatePattern(pattern)).toThrow(reason);
  });

  it('rejects wildcards in a concrete subject, naming the option', () => {
    expect(() => validateSubject('a.*')).toThrow(/invalid option 'subject': 'a.\*' has wildcard '\*'/);
    expect(() => validateSubject('a.>', 'topic')).toThrow(/invalid option 'topic'/);
  });

  it('returns the tokens of valid input', () => {
    expect(validatePattern('a.*.>')).toEqual(['a', '*', '>']);
    expect(validateSubject('a.b-c.d_e')).toEqual(['a', 'b-c', 'd_e']);
  });

  it('matches validates both sides', () => {
    expect(() => matches('a..b', 'a.b')).toThrow(InvalidOptionError);
    expect(() => matches('a.*', 'a.*')).toThrow(InvalidOptionError);
  });
});

describe('SubjectIndex', () => {
  it('finds values by subject in insertion order across wildcard branches', () => {
    const index = new SubjectIndex<string>();
    index.add('a.>', 'rest');
    index.add('a.b', 'exact');
    index.add('*.b', 'star');
    index.add('>', 'all');
    index.add('a.b', 'exact'); // duplicate: no-op
    expect(index.size).toBe(4);
    expect(index.match('a.b')).toEqual(['rest', 'exact', 'star', 'all']);
    expect(index.match('x.b')).toEqual(['star', 'all']);
    expect(index.match('a')).toEqual(['all']);
  });

  it('removes values and prunes, leaving the others', () => {
    const index = new SubjectIndex<number>();
    index.add('a.*.c', 1);
    index.add('a.*.c', 2);
    index.add('a.>', 3);
    expect(index.remove('a.*.c', 1)).toBe(true);
    expect(index.remove('a.*.c', 1)).toBe(false);
    expect(index.remove('a.x', 3)).toBe(false);
    expect(index.match('a.b.c')).toEqual([2, 3]);
    expect(index.remove('a.*.c', 2)).toBe(true);
    expect(index.remove('a.>', 3)).toBe(true);
    expect(index.size).toBe(0);
    expect(index.match('a.b.c')).toEqual([]);
  });

  it('returns a copy that later changes do not affect', () => {
    const index = new SubjectIndex<number>();
    index.add('a', 1);
    const found = index.match('a');
    index.add('a', 2);
    expect(found).toEqual([1]);
  });

  it('agrees with matches on random patterns and subjects', () => {
    const token = fc.constantFrom('a', 'b', 'c');
    const subject = fc.array(token, { minLength: 1, maxLength: 4 }).map((t) => t.join('.'));
    const patternTokens = fc.array(fc.constantFrom('a', 'b', '*'), { minLength: 1, maxLength: 4 });
    const pattern = fc
      .tuple(patternTokens, fc.boolean())
      .map(([t, rest]) => (rest ? [...t.slice(0, -1), '>'] : t).join('.'));
    fc.assert(
      fc.property(fc.uniqueArray(pattern, { maxLength: 8 }), subject, (patterns, s) => {
        const index = new SubjectIndex<string>();
        for (const p of patterns) index.add(p, p);
        expect(index.match(s)).toEqual(patterns.filter((p) => matches(p, s)));
      }),
    );
  });
});

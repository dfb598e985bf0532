/**
 * NATS-style subjects: tokens separated by `.`; in a pattern `*` matches exactly one token
 * and `>` (last token only) matches one or more trailing tokens.
 *
 * Stricter than NATS on purpose: `*` and `>` are only allowed as whole tokens, so
 * `account*` is an error instead of a literal that silently never matches what the writer
 * meant. Bus topics are bridged to NATS subjects, so anything valid here is valid there.
 */
import { InvalidOptionError } from './errors.ts';

const WHITESPACE = /\s/;

function check(value: string, option: string, wildcards: boolean): string[] {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(option, 'must be a non-empty string');
  }
  if (WHITESPACE.test(value)) throw new InvalidOptionError(option, `'${value}' contains whitespace`);
  const tokens = value.split('.');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.length === 0) throw new InvalidOptionError(option, `'${value}' has an empty token`);
    if (t === '*' || t === '>') {
      if (!wildcards) throw new InvalidOptionError(option, `'${value}' has wildcard '${t}'`);
      if (t === '>' && i !== tokens.length - 1) {
        throw new InvalidOptionError(option, `'${value}': '>' is only allowed as the last token`);
      }
    } else if (t.includes('*') || t.includes('>')) {
      throw new InvalidOptionError(option, `'${value}': '*' and '>' must be whole tokens`);
    }
  }
  return tokens;
}

/**
 * Checks a concrete subject (no wildcards) and returns its tokens.
 * @throws InvalidOptionError naming `option` (default `'subject'`) and the reason.
 */
export function validateSubject(subject: string, option = 'subject'): string[] {
  return check(subject, option, false);
}

/**
 * Checks a subscription pattern (wildcards allowed) and returns its tokens.
 * @throws InvalidOptionError naming `option` (default `'pattern'`) and the reason.
 */
export function validatePattern(pattern: string, option = 'pattern'): string[] {
  return check(pattern, option, true);
}

/** Whether `subject` matches `pattern`. Both are validated (throws `InvalidOptionError`). */
export function matches(pattern: string, subject: string): boolean {
  const p = validatePattern(pattern);
  const s = validateSubject(subject);
  for (let i = 0; i < p.length; i++) {
    const t = p[i];
    if (t === '>') return s.length > i;
    if (i >= s.length || (t !== '*' && t !== s[i])) return false;
  }
  return p.length === s.length;
}

interface TrieNode<T> {
  readonly literal: Map<string, TrieNode<T>>;
  star: TrieNode<T> | undefined;
  /** Values of patterns ending here; value -> insertion order. */
  readonly exact: Map<T, number>;
  /** Values of patterns ending with `>` after this node. */
  readonly rest: Map<T, number>;
}

function node<T>(): TrieNode<T> {
  return { literal: new Map(), star: undefined, exact: new Map(), rest: new Map() };
}

function isEmpty<T>(n: TrieNode<T>): boolean {
  return n.literal.size === 0 && n.star === undefined && n.exact.size === 0 && n.rest.size === 0;
}

/**
 * Values keyed by pattern, looked up by concrete subject. A lookup walks one path per
 * wildcard branch instead of testing every pattern, so publishing stays cheap with many
 * subscriptions. `match` returns values in the order they were added.
 */
export class SubjectIndex<T> {
  readonly #root: TrieNode<T> = node();
  #order = 0;
  #size = 0;

  /** Number of (pattern, value) entries. */
  get size(): number {
    return this.#size;
  }

  /** Adds `value` under `pattern` (validated); adding the same pair twice is a no-op. */
  add(pattern: string, value: T): void {
    let n = this.#root;
    const tokens = validatePattern(pattern);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t === '>') break;
      if (t === '*') {
        n = n.star ??= node();
      } else {
        let next = n.literal.get(t);
        if (next === undefined) n.literal.set(t, (next = node()));
        n = next;
      }
    }
    const bucket = tokens[tokens.length - 1] === '>' ? n.rest : n.exact;
    if (bucket.has(value)) return;
    bucket.set(value, this.#order++);
    this.#size++;
  }

  /** Removes `value` from `pattern`; returns whether it was there. Prunes empty branches. */
  remove(pattern: string, value: T): boolean {
    const removed = this.#remove(this.#root, validatePattern(pattern), 0, value);
    if (removed) this.#size--;
    return removed;
  }

  #remove(n: TrieNode<T>, tokens: string[], i: number, value: T): boolean {
    const t = tokens[i];
    if (t === undefined) return n.exact.delete(value);
    if (t === '>') return n.rest.delete(value);
    const child = t === '*' ? n.star : n.literal.get(t);
    if (child === undefined || !this.#remove(child, tokens, i + 1, value)) return false;
    if (isEmpty(child)) {
      if (t === '*') n.star = undefined;
      else n.literal.delete(t);
    }
    return true;
  }

  /** Values whose pattern matches `subject` (validated), in insertion order. */
  match(subject: string): T[] {
    const found: Map<T, number>[] = [];
    collect(this.#root, validateSubject(subject), 0, found);
    if (found.length === 0) return [];
    if (found.length === 1) return [...found[0]!.keys()];
    const entries: [T, number][] = [];
    for (const bucket of found) for (const e of bucket) entries.push(e);
    return entries.sort((a, b) => a[1] - b[1]).map((e) => e[0]);
  }

  clear(): void {
    const r = this.#root;
    r.literal.clear();
    r.star = undefined;
    r.exact.clear();
    r.rest.clear();
    this.#size = 0;
  }
}

function collect<T>(n: TrieNode<T>, tokens: string[], i: number, found: Map<T, number>[]): void {
  if (i === tokens.length) {
    if (n.exact.size > 0) found.push(n.exact);
    return;
  }
  if (n.rest.size > 0) found.push(n.rest);
  const lit = n.literal.get(tokens[i]!);
  if (lit !== undefined) collect(lit, tokens, i + 1, found);
  if (n.star !== undefined) collect(n.star, tokens, i + 1, found);
}

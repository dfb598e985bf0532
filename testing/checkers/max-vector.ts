/**
 * Sparse integer vectors joined by pointwise maximum: the vector clocks (and per-target
 * highest stamps, as ranks) of the causal checker.
 *
 * Kept as ascending keys with their values in typed arrays, so that a join is one linear
 * merge, O(|a| + |b|), rather than a hash-map update per entry; a process's own vector is
 * mutable and merges into a spare buffer that is then swapped in, so receiving allocates
 * nothing. What travels with a send is a frozen copy, made once per emitting step. Each
 * entry also remembers its cause (what raised it), for reports.
 */

/** A frozen sparse vector: ascending keys with their values (and causes, when kept). */
export interface FrozenVector<C> {
  readonly keys: Int32Array;
  readonly values: Int32Array;
  readonly causes?: readonly C[];
}

export const EMPTY_VECTOR: FrozenVector<never> = { keys: new Int32Array(0), values: new Int32Array(0) };

interface Buffers<C> {
  keys: Int32Array;
  values: Int32Array;
  causes: C[];
}

const buffers = <C>(capacity: number): Buffers<C> => ({
  keys: new Int32Array(capacity),
  values: new Int32Array(capacity),
  causes: [],
});

export class MaxVector<C> {
  private live: Buffers<C> = buffers(8);
  private spare: Buffers<C> = buffers(8);
  private size = 0;

  private find(key: number): number {
    const keys = this.live.keys;
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = keys[mid]!;
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1 - lo;
  }

  /** The value at `key`, 0 when absent. */
  get(key: number): number {
    const i = this.find(key);
    return i >= 0 ? this.live.values[i]! : 0;
  }

  /** What raised `key` to its current value. */
  causeOf(key: number): C | undefined {
    const i = this.find(key);
    return i >= 0 ? this.live.causes[i] : undefined;
  }

  /**
   * Raises every entry `other` holds higher (or this lacks). The cause of a raised entry is
   * `other`'s own cause when it keeps causes, else `cause`.
   */
  join(other: FrozenVector<C>, cause?: C): void {
    const bk = other.keys;
    const bv = other.values;
    const bc = other.causes;
    if (bk.length === 0) return;
    const a = this.live;
    const needed = this.size + bk.length;
    if (this.spare.keys.length < needed) this.spare = buffers(needed * 2);
    const out = this.spare;
    let n = 0;
    let i = 0;
    let j = 0;
    while (i < this.size && j < bk.length) {
      const ka = a.keys[i]!;
      const kb = bk[j]!;
      if (ka < kb || (ka === kb && a.values[i]! >= bv[j]!)) {
        out.keys[n] = ka;
        out.values[n] = a.values[i]!;
        out.causes[n++] = a.causes[i]!;
        if (ka === kb) j++;
        i++;
      } else {
        out.keys[n] = kb;
        out.values[n] = bv[j]!;
        out.causes[n++] = bc ? bc[j]! : cause!;
        if (ka === kb) i++;
        j++;
      }
    }
    for (; i < this.size; i++, n++) {
      out.keys[n] = a.keys[i]!;
      out.values[n] = a.values[i]!;
      out.causes[n] = a.causes[i]!;
    }
    for (; j < bk.length; j++, n++) {
      out.keys[n] = bk[j]!;
      out.values[n] = bv[j]!;
      out.causes[n] = bc ? bc[j]! : cause!;
    }
    this.spare = a;
    this.live = out;
    this.size = n;
  }

  /** Raises one entry, in place. */
  raise(key: number, value: number, cause: C): void {
    const i = this.find(key);
    const live = this.live;
    if (i >= 0) {
      if (value > live.values[i]!) {
        live.values[i] = value;
        live.causes[i] = cause;
      }
      return;
    }
    const at = -1 - i;
    if (live.keys.length === this.size) {
      const grown = buffers<C>(this.size * 2 + 8);
      grown.keys.set(live.keys);
      grown.values.set(live.values);
      grown.causes = live.causes;
      this.live = grown;
    }
    const { keys, values, causes } = this.live;
    keys.copyWithin(at + 1, at, this.size);
    values.copyWithin(at + 1, at, this.size);
    causes.length = this.size;
    causes.splice(at, 0, cause);
    keys[at] = key;
    values[at] = value;
    this.size++;
  }

  /** A copy, causes included. */
  snapshot(): FrozenVector<C> {
    const { keys, values, causes } = this.live;
    const n = this.size;
    return { keys: keys.slice(0, n), values: values.slice(0, n), causes: causes.slice(0, n) };
  }

  /** A copy without causes, with `key` raised to `value` in it. */
  snapshotWith(key: number, value: number): FrozenVector<C> {
    const { keys, values } = this.live;
    const i = this.find(key);
    if (i >= 0) {
      const v = values.slice(0, this.size);
      if (value > v[i]!) v[i] = value;
      return { keys: keys.slice(0, this.size), values: v };
    }
    const at = -1 - i;
    const k = new Int32Array(this.size + 1);
    const v = new Int32Array(this.size + 1);
    k.set(keys.subarray(0, at));
    v.set(values.subarray(0, at));
    k[at] = key;
    v[at] = value;
    k.set(keys.subarray(at, this.size), at + 1);
    v.set(values.subarray(at, this.size), at + 1);
    return { keys: k, values: v };
  }
}

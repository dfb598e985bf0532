/**
 * The typed in-process event bus: synchronous publish/subscribe on NATS-style subjects,
 * broadcast plus queue groups, and async-iterator subscriptions. Every node has one; the
 * bridge forwards it to NATS. Types live in `bus-types.ts`.
 */
import { InvalidOptionError } from './errors.ts';
import { openIterator, type Member } from './bus-iterator.ts';
import { SubjectIndex, validatePattern } from './subject.ts';
import type { Bus, BusIterator, BusOptions, IterateOptions } from './bus-types.ts';
import type { SubscribeOptions, Subscription, TopicMap } from './bus-types.ts';

/** Default `highWaterMark` of `iterate`: messages buffered for a slow consumer. */
export const DEFAULT_HIGH_WATER_MARK = 10_000;

/** Members of one queue group of one pattern; each message goes to one of them. */
type Group = { readonly members: Member[]; next: number };
type Target = Member | Group;

function reportToConsole(error: unknown, topic: string): void {
  console.error(`causeway bus: a handler for '${topic}' threw`, error);
}

/** Fresh defaults for `createBus`. */
export function defaultBusOptions(): Required<BusOptions> {
  return { onError: reportToConsole };
}

function parseBusOptions(options: BusOptions | undefined): Required<BusOptions> {
  const onError = options?.onError ?? defaultBusOptions().onError;
  if (typeof onError !== 'function') throw new InvalidOptionError('onError', 'must be a function');
  return { onError };
}

function parseQueue(queue: string | undefined): string | undefined {
  if (queue === undefined) return undefined;
  if (typeof queue !== 'string' || queue.length === 0 || /\s/.test(queue)) {
    throw new InvalidOptionError('queue', `must be a non-empty name without whitespace, got '${queue}'`);
  }
  return queue;
}

/** Creates a bus typed by `M`: topic (concrete subject) -> payload type. */
export function createBus<M extends TopicMap = TopicMap>(options?: BusOptions): Bus<M> {
  const { onError } = parseBusOptions(options);
  const index = new SubjectIndex<Target>();
  const groups = new Map<string, Group>();
  const members = new Set<Member>();
  let closed = false;

  function report(error: unknown, topic: string): void {
    try {
      onError(error, topic);
    } catch (again) {
      reportToConsole(again, topic); // the reporter itself must not break delivery either
    }
  }

  function deliver(m: Member, payload: unknown, topic: string): boolean {
    try {
      return m.deliver(payload, topic);
    } catch (error) {
      report(error, topic);
      return true; // it was delivered; the handler failed on it
    }
  }

  function deliverToGroup(g: Group, payload: unknown, topic: string): boolean {
    // Round-robin; a member that refuses (an overflowing iterator, which leaves the group on
    // the spot) passes the turn on.
    for (let tries = g.members.length; tries > 0 && g.members.length > 0; tries--) {
      const i = g.next % g.members.length;
      g.next = i + 1;
      if (deliver(g.members[i]!, payload, topic)) return true;
    }
    return false;
  }

  function attach(pattern: string, queue: string | undefined, m: Member): () => void {
    members.add(m);
    if (queue === undefined) {
      index.add(pattern, m);
      return () => index.remove(pattern, m);
    }
    const key = `${queue} ${pattern}`; // neither may contain whitespace
    let g = groups.get(key);
    if (g === undefined) {
      g = { members: [], next: 0 };
      groups.set(key, g);
      index.add(pattern, g);
    }
    g.members.push(m);
    const group = g;
    return () => {
      const i = group.members.indexOf(m);
      group.members.splice(i, 1);
      if (i < group.next) group.next--; // keep the turn on the member that was due
      if (group.members.length > 0) return;
      groups.delete(key);
      index.remove(pattern, group);
    };
  }

  function subscribeMember(pattern: string, queue: string | undefined, m: Member): Subscription {
    validatePattern(pattern);
    const q = parseQueue(queue);
    const detach = closed ? undefined : attach(pattern, q, m);
    m.active = detach !== undefined;
    return {
      pattern,
      queue: q,
      get active() {
        return m.active;
      },
      unsubscribe() {
        if (!m.active) return;
        m.active = false;
        members.delete(m);
        detach?.();
      },
    };
  }

  const bus = {
    publish(topic: string, payload: unknown): number {
      // `match` returns a copy: handlers may (un)subscribe while we walk it.
      const targets = index.match(topic);
      let delivered = 0;
      for (const t of targets) {
        if ('members' in t ? deliverToGroup(t, payload, topic) : deliver(t, payload, topic)) delivered++;
      }
      return delivered;
    },

    subscribe(pattern: string, handler: (p: unknown, t: string) => void, opts?: SubscribeOptions): Subscription {
      if (typeof handler !== 'function') throw new InvalidOptionError('handler', 'must be a function');
      const m: Member = {
        active: false,
        deliver(payload, topic) {
          if (!m.active) return false; // an earlier handler of this publish unsubscribed it
          handler(payload, topic);
          return true;
        },
      };
      return subscribeMember(pattern, opts?.queue, m);
    },

    iterate(pattern: string, opts?: IterateOptions): BusIterator<unknown> {
      validatePattern(pattern); // also when the signal is aborted already
      const highWaterMark = parseHighWaterMark(opts?.highWaterMark);
      return openIterator(pattern, highWaterMark, opts?.signal, (m) => subscribeMember(pattern, opts?.queue, m));
    },

    get size(): number {
      return members.size;
    },

    close(): void {
      if (closed) return;
      closed = true;
      const all = [...members];
      members.clear();
      groups.clear();
      index.clear();
      for (const m of all) {
        m.active = false;
        m.end?.();
      }
    },
  };
  // The implementation is untyped inside; `Bus<M>` is the typed view of the same calls.
  return bus as unknown as Bus<M>;
}

function parseHighWaterMark(value: number | undefined): number {
  if (value === undefined) return DEFAULT_HIGH_WATER_MARK;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError('highWaterMark', `must be a positive integer, got ${value}`);
  }
  return value;
}

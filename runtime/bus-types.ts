/**
 * Types of the typed in-process bus (`createBus` in `bus.ts`).
 *
 * A bus is typed by a topic map `M`: concrete subject -> payload type. A pattern that is a
 * key of `M` gets that key's payload; a wildcard pattern gets the union over the keys it
 * matches (computed token by token at the type level), and the union of all payloads when
 * it matches none of the declared keys. With an index signature (`Record<string, X>`) any
 * concrete subject may be published and every handler sees `X`.
 */

/** Topic map: concrete subject -> payload type. */
export type TopicMap = Record<string, unknown>;

/** Whether the concrete subject `S` matches pattern `P`, token by token. */
type Matches<P extends string, S extends string> = P extends '>'
  ? true
  : P extends `${infer PH}.${infer PT}`
    ? S extends `${infer SH}.${infer ST}`
      ? PH extends '*' | SH
        ? Matches<PT, ST>
        : false
      : false
    : S extends `${string}.${string}`
      ? false
      : P extends '*' | S
        ? true
        : false;

type MatchingKeys<M, P extends string> = {
  [K in keyof M & string]: Matches<P, K> extends true ? K : never;
}[keyof M & string];

/** Whether `P` has a wildcard token (so the topic delivered is not `P` itself). */
type IsWildcard<P extends string> = P extends
  | '*'
  | '>'
  | `*.${string}`
  | `${string}.*`
  | `${string}.*.${string}`
  | `${string}.>`
  ? true
  : false;

/** Topics a subscription to `P` receives. */
export type TopicOf<M, P extends string> =
  IsWildcard<P> extends false
    ? P
    : string extends keyof M
      ? string
      : [MatchingKeys<M, P>] extends [never]
        ? string
        : MatchingKeys<M, P>;

/** Payload a subscription to `P` receives. */
export type PayloadOf<M, P extends string> = P extends keyof M
  ? M[P]
  : [MatchingKeys<M, P>] extends [never]
    ? M[keyof M]
    : M[MatchingKeys<M, P>];

/** One message of an iterator: a union discriminated by `topic` when topics are known. */
export type BusMessage<M, P extends string> =
  IsWildcard<P> extends false
    ? { readonly topic: P; readonly payload: PayloadOf<M, P> }
    : string extends TopicOf<M, P>
      ? { readonly topic: string; readonly payload: PayloadOf<M, P> }
      : { [K in MatchingKeys<M, P>]: { readonly topic: K; readonly payload: M[K] } }[MatchingKeys<M, P>];

export type BusHandler<M, P extends string> = (payload: PayloadOf<M, P>, topic: TopicOf<M, P>) => void;

export interface SubscribeOptions {
  /**
   * Queue group name. Subscribers of the same pattern with the same queue form a group, and
   * each message goes to exactly one member of each group (round-robin). Default: none
   * (every subscriber gets every message).
   */
  readonly queue?: string;
}

export interface IterateOptions extends SubscribeOptions {
  /** Ends the iteration cleanly (no error) when aborted; buffered messages are discarded. */
  readonly signal?: AbortSignal;
  /**
   * Most messages buffered for a slow consumer. One more ends the iterator: it yields what
   * it buffered, then `next()` rejects with `MailboxFullError`. Default `DEFAULT_HIGH_WATER_MARK`
   * (10 000).
   */
  readonly highWaterMark?: number;
}

export interface Subscription {
  readonly pattern: string;
  readonly queue: string | undefined;
  /** False once unsubscribed (or the bus closed). */
  readonly active: boolean;
  /** Stops delivery; the handler is not called again, even mid-publish. Idempotent. */
  unsubscribe(): void;
}

/** A subscription consumed with `for await`; `break`, `return()` and disposal unsubscribe. */
export interface BusIterator<T> extends AsyncIterableIterator<T, undefined> {
  next(): Promise<IteratorResult<T, undefined>>;
  return(): Promise<IteratorResult<T, undefined>>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface BusOptions {
  /**
   * Called when a handler throws; delivery to the other handlers goes on. Default: logs
   * with `console.error`, naming the topic.
   */
  readonly onError?: (error: unknown, topic: string) => void;
}

export interface Bus<M extends TopicMap> {
  /**
   * Delivers `payload` synchronously to every matching subscriber (one member per queue
   * group). Returns how many handlers and iterators received it. Returns 0 once closed.
   * @throws InvalidOptionError when `topic` is not a valid concrete subject.
   */
  publish<K extends keyof M & string>(topic: K, payload: M[K]): number;
  /** @throws InvalidOptionError for an invalid pattern or queue name. */
  subscribe<P extends string>(pattern: P, handler: BusHandler<M, P>, options?: SubscribeOptions): Subscription;
  /** Subscription as an async iterator with one consumer. */
  iterate<P extends string>(pattern: P, options?: IterateOptions): BusIterator<BusMessage<M, P>>;
  /** Number of active subscriptions (handlers and iterators). */
  readonly size: number;
  /**
   * Removes every subscription. Iterators yield what they buffered, then end; publishing
   * afterwards delivers nothing, and new subscriptions are inactive from the start.
   */
  close(): void;
}

/**
 * The iterator side of a bus subscription: one consumer, a bounded buffer that fails loudly
 * when a slow consumer falls `highWaterMark` behind, `break`/`return()`/AbortSignal/dispose
 * to stop.
 */
import { MailboxFullError } from './errors.ts';
import type { BusIterator, Subscription } from './bus-types.ts';

/** One receiver: a handler or an iterator. */
export interface Member {
  active: boolean;
  /** Returns false when the member could not take the message (an overflowing iterator). */
  deliver(payload: unknown, topic: string): boolean;
  /** The bus closed: iterators finish what they buffered, then end. */
  end?(): void;
}

type Result = IteratorResult<unknown, undefined>;
const DONE: Result = { done: true, value: undefined };

/**
 * The iterator side of a subscription. States: open; ending (bus closed: yield the buffer,
 * then done); failed (overflow: yield the buffer, then reject once with the error); done.
 */
export function openIterator(
  pattern: string,
  highWaterMark: number,
  signal: AbortSignal | undefined,
  subscribe: (m: Member) => Subscription,
): BusIterator<unknown> {
  let state: 'open' | 'ending' | 'failed' | 'done' = 'open';
  let failure: MailboxFullError | undefined;
  let buffer: { topic: string; payload: unknown }[] = [];
  let head = 0; // index of the oldest buffered message: no O(n) shift per next()
  const waiters: ((r: Result) => void)[] = []; // pending next() calls; only while empty

  const member: Member = {
    active: false,
    deliver(payload, topic) {
      if (state !== 'open') return false;
      const waiter = waiters.shift();
      if (waiter !== undefined) {
        waiter({ done: false, value: { topic, payload } });
      } else if (buffer.length - head >= highWaterMark) {
        // Dropping the oldest would lose messages silently; fail loudly instead.
        failure = new MailboxFullError(pattern, highWaterMark);
        state = 'failed';
        release();
        return false;
      } else {
        buffer.push({ topic, payload });
      }
      return true;
    },
    end() {
      if (state !== 'open') return;
      state = 'ending';
      release();
      for (const w of waiters.splice(0)) w(DONE);
    },
  };

  const sub = signal?.aborted ? undefined : subscribe(member);
  const onAbort = (): void => void stop();
  if (sub?.active !== true) state = 'done'; // aborted already, or the bus is closed
  else signal?.addEventListener('abort', onAbort, { once: true });

  function release(): void {
    sub?.unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }

  function stop(): Promise<Result> {
    state = 'done';
    buffer = [];
    head = 0;
    failure = undefined;
    release();
    for (const w of waiters.splice(0)) w(DONE);
    return Promise.resolve(DONE);
  }

  const it: BusIterator<unknown> = {
    next(): Promise<Result> {
      if (head < buffer.length) {
        const value = buffer[head++];
        // Compact now and then so a consumer that never quite catches up does not leak.
        if (head === buffer.length || (head >= 1024 && head * 2 >= buffer.length)) {
          buffer = buffer.slice(head);
          head = 0;
        }
        return Promise.resolve({ done: false, value });
      }
      if (state === 'open') return new Promise((resolve) => waiters.push(resolve));
      if (state === 'failed' && failure !== undefined) {
        const error = failure;
        void stop();
        return Promise.reject(error);
      }
      state = 'done';
      return Promise.resolve(DONE);
    },
    return: stop,
    [Symbol.asyncIterator]() {
      return it;
    },
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
  return it;
}

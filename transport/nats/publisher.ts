/**
 * The append path: JetStream publishes pipelined over one connection.
 *
 * Why not `js.publish`: it is a `request()` per message, each with its own promise chain,
 * timer and (unless disabled) a stack-capturing Error, which caps a node at ~27k msg/s. Here
 * every publish carries a reply subject `<inbox>.<token>` under ONE wildcard subscription; the
 * PubAck is matched to its pending entry by token, and one periodic sweep rejects what timed
 * out (the map is in publish order, so the sweep stops at the first entry still in time).
 *
 * Ordering: publishes on one connection reach the stream in publish order, so per-sender
 * FIFO holds for everything accepted. A failed publish is never retried here (a retry could
 * land after later messages); it rejects with `NotAcceptedError`, and the caller, who still
 * owns the event, may resend it with the same id (the stream dedups by `Nats-Msg-Id`).
 * "Not accepted" means "not known to be accepted": a message whose ack was lost may be stored.
 */
import { createInbox, headers, type Msg, type Subscription } from '@nats-io/transport-node';
import { NotAcceptedError } from '../../runtime/errors.ts';
import type { Clock, PublishAck, Timers } from '../../runtime/types.ts';
import type { Connection } from './connection.ts';
import { monoMs, repeat } from './ticker.ts';

interface Pending {
  readonly partition: number;
  readonly deadline: number;
  resolve(ack: PublishAck): void;
  reject(error: Error): void;
}

interface PubAckJson {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

const decoder = new TextDecoder();

export class Publisher {
  readonly #pending = new Map<string, Pending>();
  readonly #prefix: string;
  readonly #sub: Subscription;
  readonly #offChange: () => void;
  #counter = 0;
  #cancelSweep: () => void = () => undefined;
  #closed = false;

  constructor(
    private readonly conn: Connection,
    private readonly clock: Clock,
    private readonly timers: Timers,
    private readonly timeoutMs: number,
  ) {
    const inbox = createInbox();
    this.#prefix = `${inbox}.`;
    this.#sub = conn.nc.subscribe(`${inbox}.*`, { callback: (err, msg) => this.#onReply(err, msg) });
    // Replies to publishes in flight when the connection dropped went to the old socket and
    // will never come: say so now rather than after the timeout.
    this.#offChange = conn.onChange((up) => {
      if (!up) this.#rejectAll('nats connection lost before the append was acknowledged');
    });
    this.#armSweep();
  }

  /** Publishes `data` to `subject` with `Nats-Msg-Id: msgId`; resolves with the PubAck. */
  publish(subject: string, partition: number, msgId: string, data: Uint8Array): Promise<PublishAck> {
    if (this.#closed) return Promise.reject(new NotAcceptedError('nats transport is closed'));
    // While disconnected the client would buffer the message and send it after reconnecting,
    // possibly long after we reported it not accepted: refuse up front instead.
    if (!this.conn.up) {
      return Promise.reject(new NotAcceptedError(`nats is disconnected: append to partition ${partition} refused`));
    }
    const token = (++this.#counter).toString(36);
    const h = headers();
    h.set('Nats-Msg-Id', msgId);
    try {
      this.conn.nc.publish(subject, data, { reply: this.#prefix + token, headers: h });
    } catch (cause) {
      return Promise.reject(new NotAcceptedError(`append to partition ${partition} failed: ${String(cause)}`, { cause }));
    }
    return new Promise<PublishAck>((resolve, reject) => {
      this.#pending.set(token, { partition, deadline: monoMs(this.clock) + this.timeoutMs, resolve, reject });
    });
  }

  /** Number of appends waiting for their PubAck. */
  get inFlight(): number {
    return this.#pending.size;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelSweep();
    this.#offChange();
    this.#rejectAll('nats transport closed before the append was acknowledged');
    this.#sub.unsubscribe();
  }

  #onReply(err: Error | null, msg: Msg): void {
    if (err) {
      this.#rejectAll(`append reply subscription failed: ${err.message}`, err);
      return;
    }
    const token = msg.subject.slice(this.#prefix.length);
    const pending = this.#pending.get(token);
    if (!pending) return; // timed out or rejected on disconnect already
    this.#pending.delete(token);
    const { partition } = pending;
    if (msg.headers?.hasError || msg.data.length === 0) {
      const status = msg.headers ? `${msg.headers.code} ${msg.headers.description}` : 'empty reply';
      pending.reject(new NotAcceptedError(`log did not accept append to partition ${partition}: ${status}`));
      return;
    }
    let ack: PubAckJson;
    try {
      ack = JSON.parse(decoder.decode(msg.data)) as PubAckJson;
    } catch (cause) {
      pending.reject(new NotAcceptedError(`unreadable pub ack for partition ${partition}`, { cause }));
      return;
    }
    if (ack.error || typeof ack.seq !== 'number') {
      const reason = ack.error?.description ?? 'no sequence in pub ack';
      pending.reject(new NotAcceptedError(`log refused append to partition ${partition}: ${reason}`, { cause: ack.error }));
      return;
    }
    pending.resolve({ partition, seq: ack.seq, duplicate: ack.duplicate === true });
  }

  #armSweep(): void {
    const every = Math.max(20, Math.min(250, Math.floor(this.timeoutMs / 4)));
    this.#cancelSweep = repeat(this.timers, every, () => this.#sweep());
  }

  #sweep(): void {
    const now = monoMs(this.clock);
    for (const [token, pending] of this.#pending) {
      if (pending.deadline > now) break;
      this.#pending.delete(token);
      pending.reject(
        new NotAcceptedError(`append to partition ${pending.partition} not acknowledged within ${this.timeoutMs} ms`),
      );
    }
  }

  #rejectAll(message: string, cause?: unknown): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of all) pending.reject(new NotAcceptedError(message, { cause }));
  }
}

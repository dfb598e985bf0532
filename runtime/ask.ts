/**
 * Request/reply over the wire: each `ask` gets a one-off inbox under this node's reply
 * subject; the actor's partition owner publishes the reply there after the commit.
 */
import { decodeValue } from './codec.ts';
import { AskTimeoutError, CausewayError, HandlerFailedError } from './errors.ts';
import type { Timers, Wire } from './types.ts';

interface Waiter {
  resolve(value: unknown): void;
  reject(err: unknown): void;
  cancelTimer(): void;
  actor: string;
}

export interface PendingAsk {
  readonly inbox: string;
  readonly reply: Promise<unknown>;
  cancel(): void;
}

export class AskRegistry {
  private readonly prefix: string;
  private readonly waiters = new Map<string, Waiter>();
  private counter = 0;
  private readonly unsubscribe: () => void;

  constructor(wire: Wire, nodeId: string, incarnation: string, private readonly timers: Timers) {
    // Subject tokens cannot hold dots: node ids may.
    this.prefix = `_reply.${nodeId.replace(/\./g, '_')}.${incarnation}`;
    this.unsubscribe = wire.subscribe(`${this.prefix}.*`, (data, subject) => this.onReply(subject, data));
  }

  open(actor: string, timeoutMs: number): PendingAsk {
    const inbox = `${this.prefix}.${(++this.counter).toString(36)}`;
    let waiter!: Waiter;
    const reply = new Promise<unknown>((resolve, reject) => {
      const cancelTimer = this.timers.setTimer(timeoutMs, () => {
        this.waiters.delete(inbox);
        reject(new AskTimeoutError(actor, timeoutMs));
      });
      waiter = { resolve, reject, cancelTimer, actor };
    });
    this.waiters.set(inbox, waiter);
    return {
      inbox,
      reply,
      cancel: () => {
        waiter.cancelTimer();
        this.waiters.delete(inbox);
      },
    };
  }

  private onReply(subject: string, data: Uint8Array): void {
    const waiter = this.waiters.get(subject);
    if (waiter === undefined) return;
    this.waiters.delete(subject);
    waiter.cancelTimer();
    let reply: { ok: boolean; value?: unknown; error?: string; code?: string };
    try {
      reply = decodeValue(data) as typeof reply;
    } catch (err) {
      waiter.reject(err);
      return;
    }
    if (reply.ok) waiter.resolve(reply.value);
    else if (reply.code === 'HANDLER_FAILED') waiter.reject(new HandlerFailedError(waiter.actor, reply.error ?? '', { cause: reply.error }));
    else waiter.reject(new CausewayError('HANDLER_FAILED', reply.error ?? 'failed'));
  }

  close(): void {
    this.unsubscribe();
    for (const [inbox, w] of this.waiters) {
      w.cancelTimer();
      w.reject(new CausewayError('NODE_STOPPED', `node stopped before the reply to '${inbox}'`));
    }
    this.waiters.clear();
  }
}

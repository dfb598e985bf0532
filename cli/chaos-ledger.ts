/**
 * What the clients of `causeway chaos` asked for, call by call: every send and ask, with
 * its outcome. A send that failed gives its caller no event id, yet the log may hold it (a
 * "not accepted" append whose ack was lost): to find out whether it took effect, each call
 * is matched with the send record the client node wrote for it, by (target, seq). The
 * runtime numbers a client's sends per target in call order, failed ones included (see
 * `send` in runtime/node.ts), so the k-th call to a target carries seq k; `resolve` checks
 * that this holds rather than assume it.
 */
import type { ActorRef, Address, EventObject } from '../index.ts';
import type { HistoryEvent, SendRecord } from '../testing/history.ts';
import type { Client } from './chaos-cluster.ts';

export type CallKind = 'deposit' | 'transfer' | 'add' | 'ask';

export interface Call {
  readonly client: string;
  /** Target key `<type>/<id>`. */
  readonly to: string;
  /** 1-based position among this client's calls to `to`: the seq the runtime gives it. */
  readonly seq: number;
  readonly kind: CallKind;
  /** Deposits: the amount; FIFO adds: the number. */
  readonly value: number;
  /** Wall ms when issued. */
  readonly at: number;
  /** Undefined while in flight. */
  accepted?: boolean;
  /** Event id: from the receipt, or from the client's send record once `resolve`d. */
  event?: string;
}

const MAX_ERRORS = 5;

export class Ledger {
  readonly calls: Call[] = [];
  /** The first few distinct failure messages. */
  readonly errors: string[] = [];
  readonly #next = new Map<string, number>();
  #inFlight = 0;
  #lastAccepted = 0;

  /** Sends through `client`, recording the call and its outcome; never rejects. */
  send<E extends EventObject>(client: Client, to: ActorRef<E>, event: E, kind: CallKind, value = 0): Call {
    const call = this.#open(client, to, kind, value);
    this.#settle(call, client.node.send(to, event).then((r) => r.id));
    return call;
  }

  /** Asks through `client`; the call is recorded like a send (an ask is a send with a reply). */
  ask<E extends EventObject>(client: Client, to: ActorRef<E>, event: E, timeoutMs: number): Promise<unknown> {
    const call = this.#open(client, to, 'ask', 0);
    const reply = client.node.ask(to, event, { timeoutMs });
    // The ask's own send outcome is not exposed: a reply proves acceptance, a failure leaves it open.
    void reply.then(() => (call.accepted = true), () => undefined);
    return reply;
  }

  get inFlight(): number {
    return this.#inFlight;
  }
  /** Wall ms of the last accepted send (0: none yet). */
  get lastAcceptedAt(): number {
    return this.#lastAccepted;
  }

  /** Resolves once no send is in flight. */
  async drained(): Promise<void> {
    while (this.#inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /**
   * Gives every call its event id from the clients' send records. Returns the calls that
   * could not be matched (should be none).
   */
  resolve(clients: readonly Client[]): Call[] {
    const records = new Map<string, SendRecord>();
    for (const c of clients) {
      for (const r of c.history as HistoryEvent[]) {
        if (r.kind !== 'send' || r.causedBy !== undefined) continue;
        const key = `${c.id}\0${r.to}\0${r.seq}`;
        if (!records.has(key)) records.set(key, r);
      }
    }
    const unmatched: Call[] = [];
    for (const call of this.calls) {
      const record = records.get(`${call.client}\0${call.to}\0${call.seq}`);
      if (record === undefined || (call.event !== undefined && record.event !== call.event)) unmatched.push(call);
      else call.event = record.event;
    }
    return unmatched;
  }

  #open(client: Client, to: Address, kind: CallKind, value: number): Call {
    const key = `${to.type}/${to.id}`;
    const seq = (this.#next.get(`${client.id}\0${key}`) ?? 0) + 1;
    this.#next.set(`${client.id}\0${key}`, seq);
    const call: Call = { client: client.id, to: key, seq, kind, value, at: Date.now() };
    this.calls.push(call);
    return call;
  }

  #settle(call: Call, id: Promise<string>): void {
    this.#inFlight++;
    id.then(
      (event) => {
        call.accepted = true;
        call.event = event;
        this.#lastAccepted = Date.now();
      },
      (error: unknown) => {
        call.accepted = false;
        const message = error instanceof Error ? error.message : String(error);
        if (this.errors.length < MAX_ERRORS && !this.errors.includes(message)) this.errors.push(message);
      },
    ).finally(() => this.#inFlight--);
  }
}

/**
 * Who is alive, from KV `<ns>-members`: every node puts its key (base64url of its id) every
 * `heartbeatMs`, and watches the bucket. A member is dead when no update of its key has been
 * RECEIVED for `deadAfterMs`, judged by the observer's own monotonic clock (no per-key TTL:
 * nats-server 2.9 ignores it, and comparing the writer's timestamps would need synced clocks).
 * A node always counts itself alive; a graceful leave deletes the key, which others see at once.
 */
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { Clock, Timers } from '../../runtime/types.ts';
import type { EventSink } from './events.ts';
import { BucketWatch } from './kv-watch.ts';
import { kvKey } from './layout.ts';
import { monoMs, repeat } from './ticker.ts';

export interface MembershipDeps {
  readonly kv: KV;
  readonly nodeId: string;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly heartbeatMs: number;
  readonly deadAfterMs: number;
  readonly events: EventSink;
  /** Whether the connection is up; no heartbeat is sent while it is down. */
  readonly isUp: () => boolean;
  /** Called when the set of live members changed. */
  readonly onChange: () => void;
}

/** Keys of members dead this many times `deadAfterMs` are removed from the bucket. */
const FORGET_AFTER = 20;
const encoder = new TextEncoder();

export class Membership {
  /** Node id -> when (monoMs) an update of its key last arrived, and that key's revision. */
  readonly #seen = new Map<string, { at: number; revision: number }>();
  readonly #key: string;
  readonly #watch: BucketWatch;
  #live: string[];
  #lastPutOk = 0;
  #watchSawSelf = 0;
  /** The heartbeat put in flight, if any (one at a time; a hung one must not delay rounds). */
  #putting: Promise<void> | undefined;
  #cancel: () => void = () => undefined;

  constructor(private readonly d: MembershipDeps) {
    this.#key = kvKey(d.nodeId);
    this.#live = [d.nodeId];
    this.#watch = new BucketWatch({ kv: d.kv, onEntry: (e) => this.#onEntry(e), events: d.events, where: 'members watch' });
  }

  /** Heartbeats once, then resolves when the current members are known. */
  async start(): Promise<void> {
    await this.#heartbeat();
    await this.#watch.start();
    this.#recompute();
    this.#cancel = repeat(this.d.timers, this.d.heartbeatMs, () => this.#round());
  }

  /** Live members, sorted, this node included. */
  live(): readonly string[] {
    return this.#live;
  }

  /** Stops heartbeating and deletes this node's key so others see the leave at once. */
  async stop(): Promise<void> {
    this.#cancel();
    this.#watch.stop();
    await this.#putting; // a late heartbeat must not bring the key back after the delete
    if (!this.d.isUp()) return; // others will judge us dead by the missing heartbeats
    await this.d.kv.delete(this.#key).catch((error: unknown) => this.d.events({ type: 'error', where: 'leaving members', error }));
  }

  #round(): void {
    this.#putting ??= this.#heartbeat().finally(() => (this.#putting = undefined));
    // Our own heartbeats must come back through the watch; if they stopped coming while the
    // puts succeed, the watch died (e.g. across a server restart): start a new one.
    if (this.#lastPutOk - this.#watchSawSelf > this.d.deadAfterMs) {
      this.#watchSawSelf = this.#lastPutOk;
      this.#watch.restart();
    }
    this.#recompute();
    this.#forgetLongDead();
  }

  async #heartbeat(): Promise<void> {
    if (!this.d.isUp()) return;
    const value = encoder.encode(JSON.stringify({ node: this.d.nodeId, at: this.d.clock.now() }));
    try {
      await this.d.kv.put(this.#key, value);
      this.#lastPutOk = monoMs(this.d.clock);
      if (this.#watchSawSelf === 0) this.#watchSawSelf = this.#lastPutOk;
    } catch (error) {
      this.d.events({ type: 'error', where: 'membership heartbeat', error });
    }
  }

  #onEntry(entry: KvWatchEntry): void {
    const node = Buffer.from(entry.key, 'base64url').toString('utf8');
    if (node === this.d.nodeId) {
      this.#watchSawSelf = monoMs(this.d.clock);
      return;
    }
    if (entry.operation !== 'PUT') {
      this.#seen.delete(node);
    } else {
      let at = monoMs(this.d.clock);
      // An initial value written long ago (by the server's clock) is a member that died
      // without leaving: count it dead now rather than for `deadAfterMs` more. Safe under
      // clock skew: its partitions still need its lease to lapse, and its next heartbeat
      // (if any) revives it.
      if (!entry.isUpdate && this.d.clock.now() - entry.created.getTime() > this.d.deadAfterMs) at -= this.d.deadAfterMs + 1;
      this.#seen.set(node, { at, revision: entry.revision });
    }
    this.#recompute();
  }

  #recompute(): void {
    const now = monoMs(this.d.clock);
    const live = [this.d.nodeId];
    for (const [node, seen] of this.#seen) if (now - seen.at <= this.d.deadAfterMs) live.push(node);
    live.sort();
    if (live.length === this.#live.length && live.every((m, i) => m === this.#live[i])) return;
    this.#live = live;
    this.d.events({ type: 'members', members: live });
    this.d.onChange();
  }

  #forgetLongDead(): void {
    const now = monoMs(this.d.clock);
    for (const [node, seen] of this.#seen) {
      if (now - seen.at <= FORGET_AFTER * this.d.deadAfterMs) continue;
      this.#seen.delete(node);
      // Compare-and-delete: if the member came back meanwhile, its newer revision wins.
      this.d.kv.delete(kvKey(node), { previousSeq: seen.revision }).catch(() => undefined);
    }
  }
}

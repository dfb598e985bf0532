/**
 * One partition owned by this node under one epoch: it consumes the partition's log,
 * feeds the actors' mailboxes, persists their records by group commit (fenced by the
 * epoch) and acks the log only after the commit. Ownership ends either by `drain()`
 * (persist everything, then let go) or by `lose()` (a newer owner exists: persist nothing).
 */
import { ActorCell } from './actor-cell.ts';
import { EMPTY_STATE, type ActorState, type CellHost, type CellRef, type Emitted, type SkipReason, type Work } from './cell-types.ts';
import { decodeRecord, encodeRecord } from './codec.ts';
import { PartitionTimers } from './partition-timers.ts';
import { CausewayError, StaleEpochError } from './errors.ts';
import type { PartitionContext } from './partition-context.ts';
import type { Address, Delivery, DurableTimer, PartitionSubscription } from './types.ts';

type Status = 'starting' | 'active' | 'draining' | 'released' | 'lost';

interface Completed {
  readonly work: Work;
  readonly reply?: { ok: true; value: unknown } | { ok: false; error: string; code: string };
}

const COMMIT_RETRY_MS = 200;
/** How often a partition whose lease is in doubt looks again. */
const LEASE_RECHECK_MS = 50;

/** The lease could not be confirmed locally: write nothing yet, try again. */
class LeaseInDoubt extends Error {
  constructor(partition: number) {
    super(`lease of partition ${partition} not confirmed; commit held back`);
  }
}

export class Partition implements CellHost {
  private status: Status = 'starting';
  private subscription: PartitionSubscription | undefined;
  private readonly cells = new Map<string, ActorCell>();
  /** Log sequences delivered and not yet acked by us. */
  private readonly pending = new Set<number>();
  private highestSeen = 0;
  private completed: Completed[] = [];
  private committing: Promise<void> | undefined;
  /** Event ids applied per actor since its last commit (for the history). */
  private readonly applied = new Map<string, string[]>();
  private readonly timers: PartitionTimers;
  private readonly idleHandles = new Map<string, () => void>();

  constructor(
    readonly partition: number,
    readonly epoch: number,
    private readonly ctx: PartitionContext,
  ) {
    const fire = (to: Address, timer: DurableTimer): void => {
      if (this.status !== 'active') return;
      this.ctx.fireTimer(to, timer).catch((err) => {
        // The log refused it (an outage): the timer stays due, so try again shortly.
        this.reportError(err, undefined);
        this.ctx.timers.setTimer(COMMIT_RETRY_MS, () => fire(to, timer));
      });
    };
    this.timers = new PartitionTimers(partition, ctx.timers, () => ctx.clock.now(), fire);
  }

  get options() {
    return this.ctx.options;
  }
  get clock() {
    return this.ctx.clock;
  }
  get alive(): boolean {
    return this.status === 'active' || this.status === 'draining' || this.status === 'starting';
  }
  get activeActors(): number {
    return this.cells.size;
  }
  /** Events waiting in this partition's mailboxes (metrics; walks the active cells). */
  get mailboxDepth(): number {
    let depth = 0;
    for (const cell of this.cells.values()) depth += cell.queued;
    return depth;
  }

  async start(): Promise<void> {
    await this.timers.load(this.ctx.session.state);
    const after = await this.ctx.session.log.ackFloor(this.partition);
    if (!this.alive) return;
    this.status = 'active';
    this.subscription = await this.ctx.session.log.subscribe(this.partition, after, (d) => this.onDelivery(d));
    if (!this.alive) await this.subscription.stop();
  }

  private onDelivery(d: Delivery): void {
    if (this.status !== 'active') return;
    if (d.seq <= this.highestSeen) {
      // A copy of a message already taken: its original is acked after its commit.
      if (!this.pending.has(d.seq)) d.ack();
      return;
    }
    this.highestSeen = d.seq;
    this.pending.add(d.seq);
    const inbound = this.ctx.inbound(d);
    if (!inbound.ok) {
      const { reason, error, envelope } = inbound;
      const work = { envelope: envelope!, seq: d.seq, delivery: d } as Work;
      void this.ctx
        .deadLetter({ reason, error: describe(error), partition: this.partition, seq: d.seq, envelope, data: d.data })
        .then(() => this.complete({ work }), (err) => this.reportError(err, work));
      return;
    }
    const { work, behavior } = inbound;
    const key = `${work.envelope.to.type}/${work.envelope.to.id}`;
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = new ActorCell(work.envelope.to, behavior, this);
      this.cells.set(key, cell);
    }
    if (!this.idleHandles.has(key)) this.armIdle(key, cell, cell.behavior.idleMs ?? this.options.idleMs);
    cell.enqueue(work);
  }

  // --- CellHost -------------------------------------------------------------------------

  async loadState(key: string): Promise<ActorState> {
    const data = await this.ctx.session.state.load(key);
    if (data === undefined) return EMPTY_STATE;
    const record = decodeRecord(data);
    const last = record.lastCommit;
    if (last !== undefined && last.events.length > 0) {
      this.ctx.inspect?.({ kind: 'commit', node: last.node, at: this.clock.now(), actor: key, epoch: last.epoch, partition: this.partition, appliedEvents: last.events, accepted: true, recovered: true });
    }
    return record;
  }

  /**
   * Whether this node may act for the partition right now. False also while a renewal is
   * merely late: the ownership decides loss (and calls `lost`), the partition only waits.
   */
  mayProcess(): boolean {
    if (!this.alive) return false;
    const ownership = this.ctx.session.ownership;
    return ownership.holds === undefined || ownership.holds(this.partition, this.epoch);
  }

  leasePause(): Promise<void> {
    return new Promise<void>((resolve) => this.ctx.timers.setTimer(LEASE_RECHECK_MS, resolve));
  }

  hlcNow(): string {
    return this.ctx.hlcNow();
  }

  hlcObserve(stamp: string): void {
    this.ctx.hlcObserve(stamp);
  }

  async publishAll(cell: CellRef, work: Work, emitted: readonly Emitted[]): Promise<void> {
    // In order, each accepted before the next: per-sender FIFO and causality (G3, G4).
    for (const e of emitted) await this.ctx.emit(cell.address, e, work.envelope, () => this.alive);
  }

  armTimers(cell: CellRef, timers: readonly DurableTimer[]): void {
    this.timers.arm(cell.key, timers);
  }

  skip(work: Work, _reason: SkipReason): void {
    // Acked only after the next commit: the copy's original may not be persisted yet.
    this.complete({ work });
  }

  onStart(cell: CellRef, work: Work): void {
    this.ctx.inspect?.({
      kind: 'start',
      node: this.ctx.nodeId,
      at: this.clock.now(),
      event: work.envelope.id,
      actor: cell.key,
      hlc: work.envelope.hlc,
      epoch: this.epoch,
    });
  }

  onEnd(cell: CellRef, work: Work, error: unknown, reply: unknown): void {
    const ok = error === undefined;
    this.ctx.inspect?.({ kind: 'end', node: this.ctx.nodeId, at: this.clock.now(), event: work.envelope.id, actor: cell.key, epoch: this.epoch, ok });
    if (ok) {
      const list = this.applied.get(cell.key) ?? [];
      list.push(work.envelope.id);
      this.applied.set(cell.key, list);
      this.ctx.processed(work.envelope, work.delivery);
      this.complete({ work, reply: { ok: true, value: reply } });
      return;
    }
    const { envelope, delivery } = work;
    const reason = describe(error);
    void this.ctx
      .deadLetter({ reason: 'handler-failed', error: reason, partition: this.partition, seq: work.seq, envelope, data: delivery.data })
      .then(
        () => this.complete({ work, reply: { ok: false, error: reason, code: 'HANDLER_FAILED' } }),
        (err) => this.reportError(err, work),
      );
  }

  reportError(err: unknown, work: Work | undefined): void {
    if (!this.alive) return;
    const where = work ? ` on '${work.envelope?.id}'` : '';
    this.options.onError(err, `partition ${this.partition}${where}`);
  }

  // --- group commit -------------------------------------------------------------------

  private complete(done: Completed): void {
    this.completed.push(done);
    void this.kickCommit();
  }

  /** Starts the commit loop unless it runs; a completion arriving as it ends starts it again. */
  private kickCommit(): Promise<void> {
    if (this.committing === undefined) {
      this.committing = this.commitLoop().finally(() => {
        this.committing = undefined;
        if (this.completed.length > 0 && this.alive) void this.kickCommit();
      });
    }
    return this.committing;
  }

  private async commitLoop(): Promise<void> {
    try {
      while (this.completed.length > 0 && this.alive) {
        const batch = this.completed.splice(0);
        const cells = [...this.cells.values()].filter((c) => c.dirty);
        for (const c of cells) c.dirty = false;
        const appliedNow = cells.map((c) => [c.key, this.applied.get(c.key) ?? []] as const);
        const writes = appliedNow.map(([key, events], i) => ({
          key,
          data: encodeRecord({ ...cells[i]!.record!, lastCommit: { node: this.ctx.nodeId, epoch: this.epoch, events } }),
        }));
        const timerIndex = this.timers.update(cells.map((c) => ({ key: c.key, timers: c.record?.timers ?? [] })));
        if (timerIndex !== undefined) writes.push(timerIndex);
        for (const c of cells) this.applied.delete(c.key);
        try {
          if (!this.mayProcess()) throw new LeaseInDoubt(this.partition);
          if (writes.length > 0) await this.ctx.session.state.commit(this.partition, this.epoch, writes);
        } catch (err) {
          if (err instanceof StaleEpochError) {
            this.recordCommits(appliedNow, false);
            return this.lose();
          }
          // Outcome unknown (the store may have taken it): not recorded; retried as is.
          // Store unavailable: keep everything and try again; nothing is acked meanwhile.
          for (const c of cells) c.dirty = true;
          for (const [key, ids] of appliedNow) this.applied.set(key, [...ids, ...(this.applied.get(key) ?? [])]);
          if (timerIndex !== undefined) this.timers.retry();
          this.completed.unshift(...batch);
          if (!(err instanceof LeaseInDoubt)) this.reportError(err, undefined);
          await new Promise<void>((resolve) => this.ctx.timers.setTimer(err instanceof LeaseInDoubt ? LEASE_RECHECK_MS : COMMIT_RETRY_MS, resolve));
          continue;
        }
        if (!this.alive) return;
        this.recordCommits(appliedNow, true);
        for (const { work, reply } of batch) {
          work.delivery.ack();
          this.pending.delete(work.seq);
          const replyTo = work.envelope?.replyTo;
          if (replyTo !== undefined && reply !== undefined && !replyTo.startsWith('actor:')) this.ctx.reply(replyTo, reply);
        }
      }
    } catch (err) {
      this.reportError(err, undefined);
    }
  }

  private recordCommits(applied: ReadonlyArray<readonly [string, string[]]>, accepted: boolean): void {
    const inspect = this.ctx.inspect;
    if (inspect === undefined) return;
    for (const [actor, appliedEvents] of applied) {
      inspect({ kind: 'commit', node: this.ctx.nodeId, at: this.clock.now(), actor, epoch: this.epoch, partition: this.partition, appliedEvents, accepted });
    }
  }

  // --- passivation and the end of ownership -------------------------------------------------

  /** One timer per active cell, re-armed lazily: no timer work per event. */
  private armIdle(key: string, cell: ActorCell, delayMs: number): void {
    this.idleHandles.set(
      key,
      this.ctx.timers.setTimer(delayMs, () => {
        this.idleHandles.delete(key);
        if (this.status !== 'active' || this.cells.get(key) !== cell) return;
        const idleMs = cell.behavior.idleMs ?? this.options.idleMs;
        const quiet = this.clock.now() - cell.lastActive;
        if (cell.idle && !cell.dirty && quiet >= idleMs) {
          cell.stop();
          this.cells.delete(key);
        } else {
          this.armIdle(key, cell, Math.max(idleMs - quiet, 1));
        }
      }),
    );
  }

  /** Stop consuming, finish every mailbox, persist, passivate. */
  async drain(): Promise<void> {
    if (!this.alive) return;
    this.status = 'draining';
    await this.subscription?.stop();
    for (const cell of this.cells.values()) await cell.whenIdle();
    while (this.committing !== undefined || this.completed.length > 0) await this.kickCommit();
    if (this.status === 'draining') this.status = 'released';
    this.shutdown();
  }

  /** A newer owner exists: drop everything, persist nothing, ack nothing. */
  lose(): void {
    if (this.status === 'lost') return;
    this.status = 'lost';
    void this.subscription?.stop().catch(() => undefined);
    this.shutdown();
  }

  private shutdown(): void {
    this.timers.cancelAll();
    for (const cancel of this.idleHandles.values()) cancel();
    this.idleHandles.clear();
    for (const cell of this.cells.values()) cell.stop();
    this.cells.clear();
  }
}

function describe(err: unknown): string {
  if (err instanceof CausewayError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * One active actor inside its partition: a bounded mailbox and the turn loop. Turns run one
 * at a time (G2). A turn dedups (log sequence and per-sender sequence), runs the behavior,
 * publishes what it emitted (ids derived from the input id, so a replay re-emits the same
 * ids), then updates the in-memory record; the partition persists records by group commit
 * and only then acks the log.
 */
import { MailboxFullError } from './errors.ts';
import type { CellHost, ActorState, Work } from './cell-types.ts';
import type { Activation, Address, Behavior, DurableTimer, EventObject, TurnContext } from './types.ts';

export class ActorCell {
  readonly key: string;
  private readonly queue: Work[] = [];
  private running = false;
  private activation: Activation | undefined;
  private state: ActorState | undefined;
  /** Turns completed since the last commit took this cell's record. */
  dirty = false;
  lastActive = 0;
  stopped = false;

  constructor(
    readonly address: Address,
    readonly behavior: Behavior,
    private readonly host: CellHost,
  ) {
    this.key = `${address.type}/${address.id}`;
  }

  get idle(): boolean {
    return !this.running && this.queue.length === 0;
  }

  /** Events waiting in the mailbox (metrics). */
  get queued(): number {
    return this.queue.length;
  }

  /** The record as of the last completed turn (what a commit persists). */
  get record(): ActorState | undefined {
    return this.state;
  }

  enqueue(work: Work): void {
    if (this.queue.length >= this.host.options.mailboxCapacity) {
      throw new MailboxFullError(this.key, this.host.options.mailboxCapacity);
    }
    this.queue.push(work);
    if (!this.running) void this.run();
  }

  /** Resolves when the mailbox is empty and no turn runs. */
  async whenIdle(): Promise<void> {
    while (!this.idle) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
  private idleWaiters: Array<() => void> = [];

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.activation?.stop();
    this.activation = undefined;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const work = this.queue.shift()!;
        try {
          await this.turn(work);
        } catch (err) {
          // Only infrastructure failures land here (store unreadable, node lost): the
          // delivery stays unacked and the log gives it again later.
          this.host.reportError(err, work);
        }
      }
    } finally {
      this.running = false;
      this.lastActive = this.host.clock.now();
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  }

  private async ensureActive(): Promise<{ activation: Activation; state: ActorState }> {
    if (this.state === undefined) {
      this.state = await this.host.loadState(this.key);
      // After a move, this node's clock may lag what the actor already emitted elsewhere.
      if (this.state.hlc !== '') this.host.hlcObserve(this.state.hlc);
    }
    if (this.activation === undefined) {
      this.activation = this.behavior.activate(this.address.id, this.state.snapshot, this.state.timers);
      this.host.armTimers(this, this.state.timers);
    }
    return { activation: this.activation, state: this.state };
  }

  private async turn(work: Work): Promise<void> {
    const { envelope } = work;
    const { state } = await this.ensureActive();
    // A lease in doubt (a late renewal, or a wake-up after a pause) holds the turn back until
    // it is confirmed or the ownership declares it lost (which stops this cell).
    while (!this.stopped && !this.host.mayProcess()) await this.host.leasePause();
    if (this.stopped) return;
    if (work.seq <= state.appliedSeq) return this.host.skip(work, 'applied');
    const timer = work.timer === undefined ? undefined : findTimer(state.timers, work.timer);
    if (work.timer !== undefined && timer === undefined) return this.host.skip(work, 'timer-gone');
    if (work.timer === undefined && envelope.seq <= (state.inSeq[envelope.from] ?? 0)) {
      return this.host.skip(work, 'duplicate');
    }

    envelope.timings.started = this.host.clock.micros();
    this.host.onStart(this, work);
    const outcome = this.handle(work, state);
    const replyActor = parseActorReplyTo(envelope.replyTo);
    if (replyActor !== undefined && outcome.error === undefined) {
      // An ask from inside another actor: the answer travels back as an event (durably).
      outcome.sends.push({ to: replyActor.to, event: { type: replyActor.eventType, value: outcome.reply } as EventObject });
    }
    const outSeq = { ...state.outSeq };
    const emitted = outcome.sends.map((s, i) => {
      const targetKey = `${s.to.type}/${s.to.id}`;
      const seq = (outSeq[targetKey] ?? 0) + 1;
      outSeq[targetKey] = seq;
      return { ...s, seq, id: `${envelope.id}/${i}` };
    });
    // Published before the state is persisted: a crash in between replays the turn, which
    // re-emits the same ids and per-sender seqs, and receivers drop the copies.
    await this.host.publishAll(this, work, emitted);
    if (this.stopped) return;

    let timers = state.timers.filter((t) => t !== timer && !outcome.cancelled.has(t.key));
    for (const t of outcome.scheduled) timers = [...timers.filter((x) => x.key !== t.key), t];
    this.state = {
      snapshot: outcome.snapshot,
      appliedSeq: work.seq,
      inSeq: work.timer === undefined ? { ...state.inSeq, [envelope.from]: envelope.seq } : state.inSeq,
      outSeq,
      timers,
      hlc: this.host.hlcNow(),
    };
    this.host.armTimers(this, outcome.scheduled);
    envelope.timings.processed = this.host.clock.micros();
    this.dirty = true;
    this.host.onEnd(this, work, outcome.error, outcome.reply);
  }

  /** Runs the behavior with retries; a final failure becomes a dead letter, not a crash. */
  private handle(work: Work, state: ActorState): TurnOutcome {
    const attempts = this.host.options.maxAttempts;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const outcome = newOutcome();
      const turn = turnContext(work, outcome, this.host.clock.now());
      try {
        const activation = this.activation ?? this.behavior.activate(this.address.id, state.snapshot, state.timers);
        this.activation = activation;
        activation.handle(work.envelope.payload, turn);
        outcome.snapshot = activation.snapshot();
        if (!outcome.replied) outcome.reply = activation.view();
        return outcome;
      } catch (err) {
        lastError = err;
        // A failed turn may leave the behavior half-changed: start over from the last
        // completed state.
        this.activation?.stop();
        this.activation = undefined;
      }
    }
    const failed = newOutcome();
    failed.snapshot = state.snapshot;
    failed.error = lastError ?? new Error('handler failed');
    return failed;
  }
}

interface TurnOutcome {
  sends: Array<{ to: Address; event: EventObject; replyTo?: string }>;
  scheduled: DurableTimer[];
  cancelled: Set<string>;
  reply: unknown;
  replied: boolean;
  snapshot: unknown;
  error: unknown;
}

function newOutcome(): TurnOutcome {
  return { sends: [], scheduled: [], cancelled: new Set(), reply: undefined, replied: false, snapshot: undefined, error: undefined };
}

function turnContext(work: Work, out: TurnOutcome, now: number): TurnContext {
  return {
    envelope: work.envelope,
    ...(work.timer !== undefined ? { timerKey: work.timer.key } : {}),
    send: (to, event, options) =>
      void out.sends.push({ to: { type: to.type, id: to.id }, event, ...(options?.replyTo ? { replyTo: options.replyTo } : {}) }),
    reply: (value) => {
      out.reply = value;
      out.replied = true;
    },
    schedule: (key, delayMs, event) => {
      out.cancelled.delete(key);
      out.scheduled = out.scheduled.filter((t) => t.key !== key);
      out.scheduled.push({ key, dueAt: now + Math.max(0, delayMs), event, scheduledBy: work.envelope.id });
    },
    cancel: (key) => {
      out.scheduled = out.scheduled.filter((t) => t.key !== key);
      out.cancelled.add(key);
    },
  };
}

function findTimer(timers: readonly DurableTimer[], due: { key: string; dueAt: number }): DurableTimer | undefined {
  return timers.find((t) => t.key === due.key && t.dueAt === due.dueAt);
}

/** `actor:<eventType>@<type>/<id>`: where an in-machine ask wants its answer. */
export function actorReplyTo(eventType: string, to: Address): string {
  return `actor:${eventType}@${to.type}/${to.id}`;
}

function parseActorReplyTo(replyTo: string | undefined): { eventType: string; to: Address } | undefined {
  if (replyTo === undefined || !replyTo.startsWith('actor:')) return undefined;
  const at = replyTo.indexOf('@');
  const slash = replyTo.indexOf('/', at);
  if (at < 0 || slash < 0) return undefined;
  return { eventType: replyTo.slice(6, at), to: { type: replyTo.slice(at + 1, slash), id: replyTo.slice(slash + 1) } };
}

/**
 * Rebuilding an actor's state as of an HLC time from the journal (G6). The journal is the
 * actor's partition log itself (the stream keeps every event): the actor's events are read
 * back (`Log.read`) and replayed into a fresh activation under the rules a live turn follows
 * (`actor-cell.ts`): per-sender `seq` dedup, a durable timer applies only while it is still
 * pending, events dead-lettered on the way in are skipped, and a handler that fails on every
 * attempt leaves the state as it was (but counts as taken, as in the live record). Nothing
 * leaves a replay: sends and replies are dropped, timers are only recorded.
 *
 * Which state: the one after the shortest prefix of the actor's events, in log order, that
 * holds every event stamped `<= t`, i.e. up to the last event stamped `<= t`. A partition's
 * log is not in stamp order across senders, so "apply only the events stamped `<= t`" would
 * give states the actor never was in, and would miss the current state for `t` at or past
 * the last event's stamp whenever an earlier event of another sender carries a later stamp.
 * A prefix is a state the live actor really had; it holds every event that happened before
 * any event in it (G4: causes come first in the log), and for `t` at or past the stamp of
 * the last event it is the current state.
 *
 * Limits: the stamp is the sender's (receive stamps are not journaled). A timer firing is
 * matched to the pending timer by key and by the turn that scheduled it (`causedBy`), since
 * its due time came from the owner's clock, which the journal does not hold. Inbound dead
 * letters that depend on the owner rather than on the journal (a stamp too far ahead of its
 * clock, a type or event it did not know) are taken from the dead-letter sink.
 */
import { decodeEnvelope } from './codec.ts';
import { NodeStoppedError, UnknownActorTypeError, UnsupportedError } from './errors.ts';
import { compareHlc, decodeHlc, encodeHlc, type HlcStamp } from './hlc.ts';
import type { ActorStateAt, StateAtOptions } from './node-types.ts';
import { partitionOf } from './placement.ts';
import { parseTimerId, TIMER_SENDER } from './router.ts';
import type { Activation, Address, Behavior, DeadLetterReason, DurableTimer, Envelope, TransportSession, TurnContext } from './types.ts';

export interface ReplayDeps {
  readonly nodeId: string;
  readonly transportKind: string;
  readonly session: TransportSession;
  readonly behaviors: ReadonlyMap<string, Behavior>;
  readonly maxAttempts: number;
  readonly stopped: () => boolean;
}

/** Reasons decided on the way in, by the owner at the time: the journal cannot tell them. */
const INBOUND_REASONS: ReadonlySet<DeadLetterReason> = new Set(['malformed', 'unknown-actor-type', 'rejected-event', 'clock-ahead']);

interface JournalEvent {
  readonly seq: number;
  readonly envelope: Envelope;
  readonly stamp: HlcStamp;
  readonly timer?: { readonly key: string; readonly dueAt: number };
}

/** `CausewayNode.stateAt`. */
export async function stateAt(deps: ReplayDeps, to: Address, at: string | HlcStamp, options: StateAtOptions = {}): Promise<ActorStateAt> {
  const { session } = deps;
  const { signal } = options;
  if (deps.stopped()) throw new NodeStoppedError(deps.nodeId);
  signal?.throwIfAborted();
  const behavior = deps.behaviors.get(to.type);
  if (behavior === undefined) throw new UnknownActorTypeError(to.type);
  if (session.log.read === undefined) throw new UnsupportedError('reading the log back (stateAt)', deps.transportKind);
  const until = typeof at === 'string' ? decodeHlc(at) : decodeHlc(encodeHlc(at));
  const partition = partitionOf(to, session.partitions);
  const refused = new Set<number>();
  for (const letter of await session.deadLetters.list()) {
    if (letter.partition === partition && INBOUND_REASONS.has(letter.reason)) refused.add(letter.seq);
  }
  const journal: JournalEvent[] = [];
  for await (const entry of session.log.read(partition)) {
    signal?.throwIfAborted();
    if (refused.has(entry.seq)) continue;
    const event = journalEvent(entry.seq, entry.data, to, behavior);
    if (event !== undefined) journal.push(event);
  }
  let cut = -1;
  for (let i = 0; i < journal.length; i++) if (compareHlc(journal[i]!.stamp, until) <= 0) cut = i;
  const replay = new Replay(behavior, to.id, deps.maxAttempts);
  try {
    for (let i = 0; i <= cut; i++) {
      signal?.throwIfAborted();
      replay.apply(journal[i]!);
    }
    return replay.result();
  } finally {
    replay.stop();
  }
}

/** One log message as the live owner would have taken it, or undefined when not for `to` or dead-lettered on the way in. */
function journalEvent(seq: number, data: Uint8Array, to: Address, behavior: Behavior): JournalEvent | undefined {
  let envelope: Envelope;
  let stamp: HlcStamp;
  try {
    envelope = decodeEnvelope(data);
    if (envelope.to.type !== to.type || envelope.to.id !== to.id) return undefined;
    stamp = decodeHlc(envelope.hlc);
  } catch {
    return undefined; // dead-lettered as malformed
  }
  const timer = envelope.from.startsWith(`${TIMER_SENDER}/`) ? parseTimerId(envelope.id) : undefined;
  if (timer === undefined && !behavior.accepts(envelope.type)) return undefined; // rejected-event
  return timer === undefined ? { seq, envelope, stamp } : { seq, envelope, stamp, timer };
}

interface Outcome {
  ok: boolean;
  snapshot: unknown;
  scheduled: DurableTimer[];
  cancelled: Set<string>;
}

/** The turn loop of `ActorCell` without a mailbox, a host or anything leaving it. */
class Replay {
  private activation: Activation | undefined;
  private snapshot: unknown = undefined;
  private timers: readonly DurableTimer[] = [];
  private readonly inSeq = new Map<string, number>();
  private appliedSeq = 0;
  private applied = 0;

  constructor(
    private readonly behavior: Behavior,
    private readonly id: string,
    private readonly maxAttempts: number,
  ) {
    this.activation = behavior.activate(id, undefined, []);
  }

  apply(event: JournalEvent): void {
    const { envelope } = event;
    if (event.seq <= this.appliedSeq) return;
    const timer = event.timer === undefined ? undefined : this.pendingTimer(event.timer.key, envelope.causedBy);
    if (event.timer !== undefined && timer === undefined) return; // the timer was cancelled or replaced
    if (event.timer === undefined && envelope.seq <= (this.inSeq.get(envelope.from) ?? 0)) return; // a copy
    const outcome = this.handle(event);
    let timers = this.timers.filter((t) => t !== timer && !outcome.cancelled.has(t.key));
    for (const t of outcome.scheduled) timers = [...timers.filter((x) => x.key !== t.key), t];
    this.timers = timers;
    this.snapshot = outcome.snapshot;
    this.appliedSeq = event.seq;
    if (event.timer === undefined) this.inSeq.set(envelope.from, envelope.seq);
    if (outcome.ok) this.applied++;
  }

  result(): ActorStateAt {
    const activation = (this.activation ??= this.behavior.activate(this.id, this.snapshot, this.timers));
    return { view: activation.view(), snapshot: activation.snapshot(), appliedSeq: this.appliedSeq, events: this.applied };
  }

  stop(): void {
    this.activation?.stop();
    this.activation = undefined;
  }

  /** Live, the firing must match a pending timer's key and due time; its cause stands in for the due time. */
  private pendingTimer(key: string, causedBy: string | undefined): DurableTimer | undefined {
    return this.timers.find((t) => t.key === key && (causedBy === undefined || t.scheduledBy === undefined || t.scheduledBy === causedBy));
  }

  /** As `ActorCell.handle`: retries from the last completed state; a final failure changes nothing. */
  private handle(event: JournalEvent): Outcome {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const outcome: Outcome = { ok: true, snapshot: undefined, scheduled: [], cancelled: new Set() };
      try {
        const activation = (this.activation ??= this.behavior.activate(this.id, this.snapshot, this.timers));
        activation.handle(event.envelope.payload, turnContext(event, outcome));
        outcome.snapshot = activation.snapshot();
        return outcome;
      } catch {
        this.activation?.stop();
        this.activation = undefined;
      }
    }
    return { ok: false, snapshot: this.snapshot, scheduled: [], cancelled: new Set() };
  }
}

/**
 * Sends and replies go nowhere; timers are recorded. A due time needs the owner's clock at
 * the turn, which the journal lacks: the event's stamp stands in (only its key matters here).
 */
function turnContext(event: JournalEvent, out: Outcome): TurnContext {
  const now = event.stamp.wall;
  return {
    envelope: event.envelope,
    ...(event.timer !== undefined ? { timerKey: event.timer.key } : {}),
    send: () => undefined,
    reply: () => undefined,
    schedule: (key, delayMs, e) => {
      out.cancelled.delete(key);
      out.scheduled = out.scheduled.filter((t) => t.key !== key);
      out.scheduled.push({ key, dueAt: now + Math.max(0, delayMs), event: e, scheduledBy: event.envelope.id });
    },
    cancel: (key) => {
      out.scheduled = out.scheduled.filter((t) => t.key !== key);
      out.cancelled.add(key);
    },
  };
}

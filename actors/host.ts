/**
 * Runs one XState actor behind the runtime's `Activation`. XState keeps its own timers for
 * `after` and delayed events, and does not restart them when a snapshot is restored; so the
 * host gives XState a clock that never fires and mirrors XState's scheduled events into the
 * runtime's durable timers after every turn. A due timer comes back through the log as the
 * very event XState would have raised.
 */
import { createActor, type AnyActor, type AnyStateMachine } from 'xstate';
import type { Activation, DurableTimer, EventObject, TurnContext } from '../runtime/index.ts';

/** What an action helper asks of the host during a turn. */
export type Effect =
  | { readonly kind: 'send'; readonly to: { type: string; id: string }; readonly event: EventObject; readonly replyTo?: string }
  | { readonly kind: 'reply'; readonly value: unknown };

interface ScheduledEvent {
  readonly id: string;
  readonly event: EventObject;
  readonly delay: number;
}

const hosts = new WeakMap<object, XStateHost>();

/** The host running the XState actor `self`, for the action helpers. */
export function hostOf(self: unknown): XStateHost | undefined {
  return typeof self === 'object' && self !== null ? hosts.get(self) : undefined;
}

const silentClock = {
  setTimeout: () => 0,
  clearTimeout: () => undefined,
};

export class XStateHost implements Activation {
  private readonly actor: AnyActor;
  /** Effects raised outside a turn (entry actions at start) wait for the first turn. */
  private effects: Effect[] = [];
  private known = new Map<string, object>();
  private failure: unknown;

  constructor(
    machine: AnyStateMachine,
    /** This actor's own address (for answers to its asks). */
    readonly address: { readonly type: string; readonly id: string },
    snapshot: unknown,
    timers: readonly DurableTimer[],
  ) {
    this.actor = createActor(machine, {
      ...(snapshot !== undefined && snapshot !== null ? { snapshot: snapshot as never } : {}),
      input: { id: address.id } as never,
      clock: silentClock,
    });
    hosts.set(this.actor, this);
    // Without an error observer XState rethrows failures asynchronously (process crash).
    this.actor.subscribe({ error: (err: unknown) => void (this.failure = err) });
    this.actor.start();
    this.throwIfFailed();
    const scheduler = this.actor.system.scheduler;
    for (const t of timers) {
      // Re-register the pending delays so XState can cancel them when it leaves the state.
      scheduler.schedule(this.actor, this.actor, t.event as never, Math.max(0, t.dueAt), t.key);
    }
    // A new actor's initial delays are not durable yet: the first turn must schedule them.
    if (snapshot !== undefined && snapshot !== null) this.known = this.scheduledNow();
  }

  /** Called by action helpers while XState executes actions. */
  push(effect: Effect): void {
    this.effects.push(effect);
  }

  handle(event: EventObject, turn: TurnContext): void {
    if (turn.timerKey !== undefined) {
      // XState's copy never fires (silent clock): drop it before delivering the real one.
      this.actor.system.scheduler.cancel(this.actor, turn.timerKey);
    }
    this.actor.send(event);
    this.throwIfFailed();
    for (const e of this.effects.splice(0)) {
      if (e.kind === 'send') turn.send(e.to, e.event, e.replyTo !== undefined ? { replyTo: e.replyTo } : undefined);
      else turn.reply(e.value);
    }
    const now = this.scheduledNow();
    for (const [key, entry] of now) {
      if (this.known.get(key) !== entry) {
        const s = entry as ScheduledEvent;
        turn.schedule(s.id, s.delay, s.event);
      }
    }
    for (const [key, entry] of this.known) {
      if (!now.has(key)) turn.cancel((entry as ScheduledEvent).id);
    }
    this.known = now;
  }

  private scheduledEntries(): Array<[string, ScheduledEvent]> {
    return Object.entries(this.actor.system.getSnapshot()._scheduledEvents) as Array<[string, ScheduledEvent]>;
  }

  private scheduledNow(): Map<string, object> {
    return new Map(this.scheduledEntries());
  }

  private throwIfFailed(): void {
    const snap = this.actor.getSnapshot();
    if (this.failure !== undefined || snap.status === 'error') {
      this.effects = [];
      throw this.failure ?? snap.error;
    }
  }

  snapshot(): unknown {
    return this.actor.getPersistedSnapshot();
  }

  view(): unknown {
    const snap = this.actor.getSnapshot();
    return { value: snap.value, context: snap.context, status: snap.status };
  }

  done(): boolean {
    return this.actor.getSnapshot().status === 'done';
  }

  stop(): void {
    this.actor.stop();
    hosts.delete(this.actor);
  }
}

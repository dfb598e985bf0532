/**
 * How a Savina actor sends. The machines are written once against `Post`; Causeway runs
 * them with `causewayPost` (the `sendTo` helper: through the router and the log), the
 * baseline with `BareSystem.post` (bare XState actors calling each other's `send`).
 *
 * The bare system nests `send` calls directly, as hand-written XState code would, up to a
 * depth of `MAX_DEPTH`; beyond it the event waits in a FIFO drained by the outermost call.
 * Without that trampoline a thread ring of 1k actors overflows the stack (XState then
 * swallows the RangeError and the actor silently stops), so every bare run uses it; below
 * the depth it costs one counter increment per send.
 */
import { createActor, type AnyActor, type AnyStateMachine } from 'xstate';
import { sendTo, type ActionArgs, type ActorRef, type Address, type EventObject } from '../../index.ts';

export type Post = <E extends EventObject>(args: ActionArgs, to: Address, event: E) => void;

/** An event with any fields (what kicks and posts carry). */
export type AnyEvent = EventObject & { readonly [field: string]: unknown };

/** Causeway: the typed helper, handing the effect to the host for this turn. */
export const causewayPost: Post = (args, to, event) => sendTo(to as ActorRef<EventObject>, event as EventObject)(args);

/** The sink every workload reports to when it is done. */
export const SINK: Address = { type: 'sink', id: 'sink' };

const MAX_DEPTH = 64;

export class BareSystem {
  private readonly actors = new Map<string, AnyActor>();
  private readonly machines = new Map<string, AnyStateMachine>();
  private readonly queue: Array<[AnyActor, EventObject]> = [];
  private head = 0;
  private depth = 0;
  /** Events delivered per `<type>.<eventType>`. */
  readonly delivered = new Map<string, number>();
  readonly errors: unknown[] = [];
  readonly received: EventObject[] = [];

  register(type: string, machine: AnyStateMachine): void {
    this.machines.set(type, machine);
  }

  /** Bound, so machines can be built with it before the system runs. */
  readonly post: Post = (_args, to, event) => this.deliver(to, event);

  /** Actors come to life on their first event, as Causeway activates them. */
  deliver(to: Address, event: EventObject): void {
    const topic = `${to.type}.${event.type}`;
    this.delivered.set(topic, (this.delivered.get(topic) ?? 0) + 1);
    if (to.type === SINK.type) this.received.push(event);
    const actor = this.actorFor(to);
    if (this.depth >= MAX_DEPTH) {
      this.queue.push([actor, event]);
      return;
    }
    this.depth++;
    try {
      actor.send(event);
    } finally {
      this.depth--;
    }
    if (this.depth === 0) this.drain();
  }

  count(topic: string): number {
    return this.delivered.get(topic) ?? 0;
  }

  stop(): void {
    for (const a of this.actors.values()) a.stop();
    this.actors.clear();
  }

  private drain(): void {
    this.depth++;
    try {
      while (this.head < this.queue.length) {
        const [actor, event] = this.queue[this.head++]!;
        actor.send(event);
      }
      this.queue.length = 0;
      this.head = 0;
    } finally {
      this.depth--;
    }
  }

  private actorFor(to: Address): AnyActor {
    const key = `${to.type}/${to.id}`;
    let actor = this.actors.get(key);
    if (actor === undefined) {
      const machine = this.machines.get(to.type);
      if (machine === undefined) throw new Error(`bare system: unknown actor type '${to.type}'`);
      actor = createActor(machine, { input: { id: to.id } });
      actor.subscribe({ error: (err: unknown) => void this.errors.push(err) });
      actor.start();
      this.actors.set(key, actor);
    }
    return actor;
  }
}

/**
 * `defineActor(name, machine)`: an XState v5 machine as a Causeway actor type. The
 * definition is the runtime `Behavior` for that type and hands out typed references:
 * `account.ref('alice')` only takes the events `accountMachine` declares.
 */
import type { AnyStateMachine, ContextFrom, EventFromLogic, StateValue } from 'xstate';
import { InvalidOptionError, type ActorRef, type Behavior, type DurableTimer } from '../runtime/index.ts';
import { XStateHost } from './host.ts';

export interface ActorOptions {
  /** Idle time before passivation, ms. Default: the node's `idleMs` (60 000). */
  readonly idleMs?: number;
  /**
   * Event types accepted at send. Default: every event type the machine has a transition
   * for (a `*` wildcard accepts all).
   */
  readonly events?: readonly string[];
}

/** What `ask` returns when the machine does not `reply` explicitly. */
export interface ActorView<M extends AnyStateMachine> {
  readonly value: StateValue;
  readonly context: ContextFrom<M>;
  readonly status: 'active' | 'done' | 'error' | 'stopped';
}

export interface ActorDefinition<Name extends string, M extends AnyStateMachine> extends Behavior {
  readonly type: Name;
  readonly machine: M;
  ref(id: string): ActorRef<EventFromLogic<M>, ActorView<M>>;
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export function defineActor<const Name extends string, M extends AnyStateMachine>(
  name: Name,
  machine: M,
  options: ActorOptions = {},
): ActorDefinition<Name, M> {
  if (!NAME.test(name)) {
    throw new InvalidOptionError('name', `actor type '${name}' must match ${NAME} (it becomes a subject token)`);
  }
  if (options.idleMs !== undefined && !(Number.isInteger(options.idleMs) && options.idleMs > 0)) {
    throw new InvalidOptionError('idleMs', `expected a positive integer, got ${options.idleMs}`);
  }
  const accepts = acceptor(options.events ?? (machine.root.events as string[]));
  return {
    type: name,
    machine,
    ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
    accepts,
    activate: (id: string, snapshot: unknown, timers: readonly DurableTimer[]) => new XStateHost(machine, { type: name, id }, snapshot, timers),
    ref: (id: string) => ({ type: name, id }),
  };
}

/** XState descriptors: exact types, `*`, and partial wildcards like `order.*`. */
function acceptor(descriptors: readonly string[]): (eventType: string) => boolean {
  if (descriptors.includes('*')) return () => true;
  const exact = new Set(descriptors.filter((d) => !d.endsWith('.*')));
  const prefixes = descriptors.filter((d) => d.endsWith('.*')).map((d) => d.slice(0, -1));
  return (type) => exact.has(type) || prefixes.some((p) => type.startsWith(p));
}

/**
 * Typed action helpers for use inside machines. They do not send anything themselves: they
 * hand the effect to the host, which emits it when the turn ends (with an id derived from
 * the event being handled, so a replayed turn emits the same ids).
 */
import { actorReplyTo, CausewayError, type ActorRef, type EventObject } from '../runtime/index.ts';
import { hostOf } from './host.ts';

/** The arguments XState passes to an action. Loose on purpose: helpers fit any machine. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ActionArgs<TContext = any, TEvent extends EventObject = any> {
  readonly context: TContext;
  readonly event: TEvent;
  readonly self: unknown;
}

type Resolve<T, A> = T | ((args: A) => T);

function resolve<T, A>(value: Resolve<T, A>, args: A): T {
  return typeof value === 'function' ? (value as (a: A) => T)(args) : value;
}

function hostFor(args: ActionArgs) {
  const host = hostOf(args.self);
  if (host === undefined) {
    throw new CausewayError('INVALID_OPTION', 'causeway action helpers only work in actors run by a causeway node');
  }
  return host;
}

/** Sends `event` to another actor. `sendTo(account.ref('bob'), { type: 'DEPOSIT', amount: 5 })`. */
export function sendTo<E extends EventObject, A extends ActionArgs = ActionArgs>(
  target: Resolve<ActorRef<E, unknown>, A>,
  event: Resolve<NoInfer<E>, A>,
): (args: A) => void {
  return (args) => {
    const to = resolve(target, args);
    hostFor(args).push({ kind: 'send', to: { type: to.type, id: to.id }, event: resolve(event, args) });
  };
}

/**
 * Asks another actor; its answer comes back to this actor as `{ type: replyAs, value }`,
 * through the log like any event. The answer is the target's `reply(...)` value, or its view.
 */
export function askActor<E extends EventObject, A extends ActionArgs = ActionArgs>(
  target: Resolve<ActorRef<E, unknown>, A>,
  event: Resolve<NoInfer<E>, A>,
  options: { readonly replyAs: string },
): (args: A) => void {
  return (args) => {
    const to = resolve(target, args);
    const host = hostFor(args);
    host.push({ kind: 'send', to: { type: to.type, id: to.id }, event: resolve(event, args), replyTo: actorReplyTo(options.replyAs, host.address) });
  };
}

/** Answers the event being handled (an `ask`); ignored when nobody asked. */
export function reply<A extends ActionArgs = ActionArgs>(value: (args: A) => unknown): (args: A) => void;
export function reply<A extends ActionArgs = ActionArgs>(value: string | number | boolean | null | object): (args: A) => void;
export function reply<A extends ActionArgs>(value: unknown): (args: A) => void {
  return (args) => hostFor(args).push({ kind: 'reply', value: resolve(value, args) });
}

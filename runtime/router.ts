/**
 * The one delivery choke point. Outbound, `route()` validates, stamps (id, per-sender seq,
 * HLC), encodes, bounds the size and appends to the target's partition; inbound,
 * `inbound()` decodes, merges the HLC and resolves the actor type. Latency and history are
 * recorded here and nowhere else on the send side.
 */
import { decodeEnvelope, encodeEnvelope } from './codec.ts';
import {
  CausewayError,
  ClockAheadError,
  NotAcceptedError,
  OversizeError,
  RejectedEventError,
  UnknownActorTypeError,
} from './errors.ts';
import { decodeHlc, encodeHlc, type HybridClock } from './hlc.ts';
import type { Inspector } from './inspection.ts';
import type { LatencyRecorder } from './latency.ts';
import type { Inbound } from './partition-context.ts';
import { addressKey, partitionOf } from './placement.ts';
import type { Address, Behavior, Clock, Delivery, Envelope, EventObject, Log, PublishAck } from './types.ts';

/** Sender keys of durable timers firing start with this (one sender per timer firing). */
export const TIMER_SENDER = 'timer';

export interface RouteRequest {
  readonly to: Address;
  readonly event: EventObject;
  readonly from: string;
  readonly seq: number;
  readonly id: string;
  readonly causedBy?: string;
  readonly replyTo?: string;
  /** Internal events (timers) skip the actor type's event check. */
  readonly internal?: boolean;
}

export interface RouterDeps {
  readonly nodeId: string;
  readonly clock: Clock;
  readonly hlc: HybridClock;
  readonly log: Log;
  readonly partitions: number;
  readonly behaviors: ReadonlyMap<string, Behavior>;
  readonly maxPayloadBytes: number;
  readonly latency: LatencyRecorder;
  readonly inspect: Inspector | undefined;
}

export class Router {
  constructor(private readonly deps: RouterDeps) {}

  /** Checks a send before it gets an id or a seq: caller errors never burn a sequence number. */
  validate(to: Address, event: EventObject, internal = false): void {
    const behavior = this.deps.behaviors.get(to.type);
    if (behavior === undefined) throw new UnknownActorTypeError(to.type);
    if (typeof to.id !== 'string' || to.id.length === 0) {
      throw new CausewayError('INVALID_OPTION', `invalid actor id for '${to.type}': ${JSON.stringify(to.id)}`);
    }
    if (event === null || typeof event !== 'object' || typeof event.type !== 'string') {
      throw new CausewayError('REJECTED_EVENT', `event for '${to.type}' must be an object with a string 'type'`);
    }
    if (!internal && !behavior.accepts(event.type)) throw new RejectedEventError(to.type, event.type);
  }

  async route(req: RouteRequest): Promise<PublishAck> {
    const { deps } = this;
    this.validate(req.to, req.event, req.internal);
    const stamp = deps.hlc.now();
    const hlc = encodeHlc(stamp);
    const envelope: Envelope = {
      id: req.id,
      type: req.event.type,
      to: { type: req.to.type, id: req.to.id },
      from: req.from,
      seq: req.seq,
      hlc,
      ...(req.causedBy !== undefined ? { causedBy: req.causedBy } : {}),
      ...(req.replyTo !== undefined ? { replyTo: req.replyTo } : {}),
      payload: req.event,
      timings: { sent: deps.clock.micros() },
    };
    if (deps.inspect !== undefined) {
      const at = deps.clock.now();
      deps.inspect({ kind: 'clock', node: deps.nodeId, at, hlc, physical: at });
    }
    const data = encodeEnvelope(envelope);
    if (data.byteLength > deps.maxPayloadBytes) throw new OversizeError(data.byteLength, deps.maxPayloadBytes);
    const partition = partitionOf(req.to, deps.partitions);
    let ack: PublishAck;
    try {
      ack = await deps.log.append(partition, envelope, data);
    } catch (err) {
      this.record(envelope, false);
      if (err instanceof NotAcceptedError) throw err;
      throw new NotAcceptedError(`event '${envelope.id}' to '${addressKey(req.to)}' not accepted: ${String((err as Error)?.message ?? err)}`, { cause: err });
    }
    deps.latency.record('send->accepted', req.to.type, deps.clock.micros() - envelope.timings.sent);
    this.record(envelope, true, ack.duplicate);
    return ack;
  }

  private record(envelope: Envelope, accepted: boolean, duplicate = false): void {
    const inspect = this.deps.inspect;
    if (inspect === undefined) return;
    const at = this.deps.clock.now();
    inspect({
      kind: 'send',
      node: this.deps.nodeId,
      at,
      event: envelope.id,
      from: envelope.from,
      to: addressKey(envelope.to),
      seq: envelope.seq,
      hlc: envelope.hlc,
      ...(envelope.causedBy !== undefined ? { causedBy: envelope.causedBy } : {}),
      accepted,
      ...(duplicate ? { duplicate } : {}),
    });
  }

  inbound(d: Delivery): Inbound {
    const { deps } = this;
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(d.data);
    } catch (error) {
      return { ok: false, reason: 'malformed', error };
    }
    try {
      const stamp = deps.hlc.receive(decodeHlc(envelope.hlc));
      if (deps.inspect !== undefined) {
        const at = deps.clock.now();
        deps.inspect({ kind: 'clock', node: deps.nodeId, at, hlc: encodeHlc(stamp), physical: at });
      }
    } catch (error) {
      return { ok: false, reason: error instanceof ClockAheadError ? 'clock-ahead' : 'malformed', error, envelope };
    }
    const behavior = deps.behaviors.get(envelope.to.type);
    if (behavior === undefined) {
      return { ok: false, reason: 'unknown-actor-type', error: new UnknownActorTypeError(envelope.to.type), envelope };
    }
    const timer = envelope.from.startsWith(`${TIMER_SENDER}/`) ? parseTimerId(envelope.id) : undefined;
    if (timer === undefined && !behavior.accepts(envelope.type)) {
      return { ok: false, reason: 'rejected-event', error: new RejectedEventError(envelope.to.type, envelope.type), envelope };
    }
    envelope.timings.delivered = deps.clock.micros();
    if (d.storedAt !== undefined) envelope.timings.accepted = d.storedAt;
    return { ok: true, behavior, work: { envelope, seq: d.seq, delivery: d, ...(timer ? { timer } : {}) } };
  }
}

/** `timer:<dueAt>:<key>@<actor key>` — deterministic, so a timer fired twice is deduped by the log. */
export function timerId(actorKey: string, key: string, dueAt: number): string {
  return `timer:${dueAt}:${encodeURIComponent(key)}@${actorKey}`;
}

/** The timer a `timerId` names; undefined for any other id. */
export function parseTimerId(id: string): { key: string; dueAt: number } | undefined {
  const m = /^timer:(\d+):([^@]*)@/.exec(id);
  if (m === null) return undefined;
  return { dueAt: Number(m[1]), key: decodeURIComponent(m[2]!) };
}

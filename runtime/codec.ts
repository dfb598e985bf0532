/**
 * Wire codec: the only module that imports @msgpack/msgpack.
 *
 * Every encoded value starts with one format-version byte, then msgpack. Version 1 lays an
 * envelope out as a fixed-order array (see `toWire`), not a map: envelopes cross every hop,
 * and the array form is about a third smaller and faster than a map with repeated key
 * strings. Actor records and generic values are plain msgpack maps/values: they are not on
 * the per-event path and stay self-describing for people inspecting stored state.
 *
 * msgpack has no `undefined`: object properties holding `undefined` are omitted (as
 * `JSON.stringify` does), and `undefined` elsewhere (array slots, a bare value) becomes `null`.
 *
 * Decoding is for bytes from the network or a store, so it validates the shape (cheap
 * `typeof` checks only) and turns every failure into a `DecodeError`. Binary fields in a
 * decoded value are views into the input bytes (no copy): do not reuse the input buffer
 * while the value lives.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import { DecodeError } from './errors.ts';
import type { ActorRecord, DurableTimer, Envelope, EventObject, Timings } from './types.ts';

/** The format-version byte this module writes and the only one it reads. */
export const CODEC_VERSION = 1;

// One pair for the whole process: allocation-free steady state. Both handle re-entrant use
// themselves (they clone when called while busy), so sharing is safe.
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Obj = Record<string, unknown>;

function frame(value: unknown): Uint8Array {
  const body = encoder.encodeSharedRef(value);
  const out = new Uint8Array(body.length + 1);
  out[0] = CODEC_VERSION;
  out.set(body, 1);
  return out;
}

function unframe(bytes: Uint8Array, what: string): unknown {
  if (bytes.length === 0) throw new DecodeError(`empty input for ${what}`);
  const version = bytes[0];
  if (version !== CODEC_VERSION) {
    throw new DecodeError(`unknown codec version ${version} for ${what} (expected ${CODEC_VERSION})`);
  }
  try {
    return decoder.decode(bytes.subarray(1));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DecodeError(`malformed msgpack in ${what}: ${reason}`, { cause: err });
  }
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
}

function malformed(what: string, field: string, expected: string): DecodeError {
  return new DecodeError(`malformed ${what}: '${field}' must be ${expected}`);
}

// ---------------------------------------------------------------------------------------
// Envelope. Version 1 layout (index: field):
// 0 id, 1 type, 2 to.type, 3 to.id, 4 from, 5 seq, 6 hlc, 7 causedBy|null, 8 replyTo|null,
// 9 payload, 10 timings as [sent, accepted, delivered, started, processed] (null = unset).
// ---------------------------------------------------------------------------------------
const ENVELOPE_FIELDS = 11;
const TIMING_KEYS = ['sent', 'accepted', 'delivered', 'started', 'processed'] as const;

function toWire(env: Envelope): unknown[] {
  const t = env.timings;
  return [
    env.id,
    env.type,
    env.to.type,
    env.to.id,
    env.from,
    env.seq,
    env.hlc,
    env.causedBy ?? null,
    env.replyTo ?? null,
    env.payload,
    [t.sent, t.accepted ?? null, t.delivered ?? null, t.started ?? null, t.processed ?? null],
  ];
}

/** Encodes an envelope (version byte + msgpack). Does not validate: the runtime built it. */
export function encodeEnvelope(env: Envelope): Uint8Array {
  return frame(toWire(env));
}

function stringAt(w: unknown[], i: number, field: string): string {
  const v = w[i];
  if (typeof v !== 'string') throw malformed('envelope', field, 'a string');
  return v;
}

function optionalStringAt(w: unknown[], i: number, field: string): string | undefined {
  const v = w[i];
  if (v === null) return undefined;
  if (typeof v !== 'string') throw malformed('envelope', field, 'a string or absent');
  return v;
}

function timingsFrom(v: unknown): Timings {
  if (!Array.isArray(v) || v.length !== TIMING_KEYS.length) {
    throw malformed('envelope', 'timings', `an array of ${TIMING_KEYS.length}`);
  }
  const sent: unknown = v[0];
  if (typeof sent !== 'number' || !Number.isFinite(sent)) {
    throw malformed('envelope', 'timings.sent', 'a finite number');
  }
  const timings: Timings = { sent };
  for (let i = 1; i < TIMING_KEYS.length; i++) {
    const t: unknown = v[i];
    if (t === null) continue;
    const key = TIMING_KEYS[i]!;
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw malformed('envelope', `timings.${key}`, 'a finite number or absent');
    }
    timings[key] = t;
  }
  return timings;
}

/** Decodes and validates an envelope. Throws `DecodeError` on anything else. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const w = unframe(bytes, 'envelope');
  if (!Array.isArray(w) || w.length !== ENVELOPE_FIELDS) {
    throw new DecodeError(`malformed envelope: expected an array of ${ENVELOPE_FIELDS} fields`);
  }
  const type = stringAt(w, 1, 'type');
  const seq: unknown = w[5];
  if (!isCount(seq, 1)) throw malformed('envelope', 'seq', 'a positive integer');
  const payload: unknown = w[9];
  if (!isObject(payload) || typeof payload.type !== 'string') {
    throw malformed('envelope', 'payload', 'an object with a string type');
  }
  if (payload.type !== type) {
    throw new DecodeError(`malformed envelope: payload type '${payload.type}' is not '${type}'`);
  }
  const env: Mutable<Envelope> = {
    id: stringAt(w, 0, 'id'),
    type,
    to: { type: stringAt(w, 2, 'to.type'), id: stringAt(w, 3, 'to.id') },
    from: stringAt(w, 4, 'from'),
    seq,
    hlc: stringAt(w, 6, 'hlc'),
    payload: payload as unknown as EventObject,
    timings: timingsFrom(w[10]),
  };
  const causedBy = optionalStringAt(w, 7, 'causedBy');
  if (causedBy !== undefined) env.causedBy = causedBy;
  const replyTo = optionalStringAt(w, 8, 'replyTo');
  if (replyTo !== undefined) env.replyTo = replyTo;
  return env;
}

// ---------------------------------------------------------------------------------------
// Actor record: a msgpack map with the `ActorRecord` keys.
// ---------------------------------------------------------------------------------------

/** Encodes an actor record (version byte + msgpack map). */
export function encodeRecord(r: ActorRecord): Uint8Array {
  return frame(r);
}

function seqMap(v: unknown, field: string): Record<string, number> {
  if (!isObject(v)) throw malformed('record', field, 'an object');
  for (const key in v) {
    if (!isCount(v[key], 0)) throw malformed('record', `${field}['${key}']`, 'a non-negative integer');
  }
  return v as Record<string, number>;
}

function timerFrom(v: unknown, i: number): DurableTimer {
  if (
    !isObject(v) ||
    typeof v.key !== 'string' ||
    typeof v.dueAt !== 'number' ||
    !isObject(v.event) ||
    typeof v.event.type !== 'string'
  ) {
    throw malformed('record', `timers[${i}]`, 'a timer {key, dueAt, event}');
  }
  const timer = { key: v.key, dueAt: v.dueAt, event: v.event as unknown as EventObject };
  return typeof v.scheduledBy === 'string' ? { ...timer, scheduledBy: v.scheduledBy } : timer;
}

function lastCommitFrom(v: unknown): NonNullable<ActorRecord['lastCommit']> {
  if (!isObject(v) || typeof v.node !== 'string' || !isCount(v.epoch, 0) || !Array.isArray(v.events) || !v.events.every((e) => typeof e === 'string')) {
    throw malformed('record', 'lastCommit', 'a {node, epoch, events}');
  }
  return { node: v.node, epoch: v.epoch, events: v.events as string[] };
}

/** Decodes and validates an actor record. Throws `DecodeError` on anything else. */
export function decodeRecord(bytes: Uint8Array): ActorRecord {
  const r = unframe(bytes, 'record');
  if (!isObject(r)) throw new DecodeError('malformed record: expected a map');
  if (!isCount(r.appliedSeq, 0)) throw malformed('record', 'appliedSeq', 'a non-negative integer');
  if (typeof r.hlc !== 'string') throw malformed('record', 'hlc', 'a string');
  if (!Array.isArray(r.timers)) throw malformed('record', 'timers', 'an array');
  return {
    snapshot: r.snapshot,
    appliedSeq: r.appliedSeq,
    inSeq: seqMap(r.inSeq, 'inSeq'),
    outSeq: seqMap(r.outSeq, 'outSeq'),
    timers: r.timers.map(timerFrom),
    hlc: r.hlc,
    ...(r.lastCommit !== undefined ? { lastCommit: lastCommitFrom(r.lastCommit) } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// Generic values: replies, dead letters, metrics. No shape to check; callers validate.
// ---------------------------------------------------------------------------------------

/** Encodes any msgpack-representable value (version byte + msgpack). */
export function encodeValue(v: unknown): Uint8Array {
  return frame(v);
}

/** Decodes a value written by `encodeValue`. Throws `DecodeError` on malformed bytes. */
export function decodeValue(bytes: Uint8Array): unknown {
  return unframe(bytes, 'value');
}

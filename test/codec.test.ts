/** Wire codec: round trips, and `DecodeError` (never anything else) for every bad input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CODEC_VERSION,
  decodeEnvelope,
  decodeRecord,
  decodeValue,
  encodeEnvelope,
  encodeRecord,
  encodeValue,
} from '../runtime/codec.ts';
import { DecodeError } from '../runtime/errors.ts';
import type { ActorRecord, Envelope } from '../runtime/types.ts';

// Values msgpack carries unchanged. Left out on purpose: `undefined` (dropped from objects,
// tested below), `-0` (encoded as integer 0), lone surrogates (not UTF-8), `__proto__` keys
// (refused by the decoder).
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const key = text.filter((k) => k !== '__proto__');
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0));
const scalar = fc.oneof(text, fc.integer(), finite, fc.boolean(), fc.constant(null), fc.uint8Array({ maxLength: 8 }));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));
const fields = fc.dictionary(key, value, { maxKeys: 4, noNullPrototype: true });

const envelopes: fc.Arbitrary<Envelope> = fc
  .record(
    {
      id: text,
      type: text,
      to: fc.record({ type: text, id: text }, { noNullPrototype: true }),
      from: text,
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      hlc: text,
      causedBy: text,
      replyTo: text,
      fields,
      timings: fc.record(
        { sent: finite, accepted: finite, delivered: finite, started: finite, processed: finite },
        { requiredKeys: ['sent'], noNullPrototype: true },
      ),
    },
    { requiredKeys: ['id', 'type', 'to', 'from', 'seq', 'hlc', 'fields', 'timings'], noNullPrototype: true },
  )
  .map(({ fields: f, ...env }) => ({ ...env, payload: { ...f, type: env.type } }));

const strict = { noNullPrototype: true } as const; // fast-check 4 may make null-prototype objects
const records: fc.Arbitrary<ActorRecord> = fc.record(
  {
  snapshot: value,
  appliedSeq: fc.nat(),
  inSeq: fc.dictionary(key, fc.nat(), { maxKeys: 4, noNullPrototype: true }),
  outSeq: fc.dictionary(key, fc.nat(), { maxKeys: 4, noNullPrototype: true }),
  timers: fc.array(
    fc.record({ key: text, dueAt: fc.nat(), event: fields.map((f) => ({ ...f, type: 'TICK' })) }, strict),
    { maxLength: 3 },
  ),
  hlc: text,
  },
  strict,
);

const sample: Envelope = {
  id: '01J9ZK3Q8M6V5T2W4X7Y9A1B3C-3',
  type: 'DEPOSIT',
  to: { type: 'account', id: 'alice' },
  from: 'client/node-1/1',
  seq: 42,
  hlc: '0001700000000123-0000000007-node-1',
  payload: { type: 'DEPOSIT', amount: 10 } as Envelope['payload'],
  timings: { sent: 1_700_000_000_123_456.5 },
};

/** `decode` either returns or throws DecodeError, whatever the bytes. */
function onlyDecodeErrors(decode: (b: Uint8Array) => unknown, bytes: Uint8Array): void {
  try {
    decode(bytes);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
  }
}

describe('envelope', () => {
  it('round-trips any envelope exactly', () => {
    fc.assert(
      fc.property(envelopes, (env) => {
        const bytes = encodeEnvelope(env);
        expect(bytes[0]).toBe(CODEC_VERSION);
        expect(decodeEnvelope(bytes)).toStrictEqual(env);
      }),
      { numRuns: 500 },
    );
  });

  it('drops undefined properties, as JSON does', () => {
    const env = { ...sample, causedBy: undefined, payload: { type: 'DEPOSIT', note: undefined } };
    const decoded = decodeEnvelope(encodeEnvelope(env));
    expect(decoded).toStrictEqual({ ...sample, payload: { type: 'DEPOSIT' } });
    expect('causedBy' in decoded).toBe(false);
  });

  it('is smaller than JSON', () => {
    const msgpack = encodeEnvelope(sample).length;
    const json = Buffer.byteLength(JSON.stringify(sample));
    console.info(`envelope size: codec ${msgpack} bytes, JSON ${json} bytes`);
    expect(msgpack).toBeLessThan(json * 0.75);
  });

  it('rejects empty input, another version and broken msgpack', () => {
    expect(() => decodeEnvelope(new Uint8Array())).toThrow(/^empty input for envelope$/);
    const other = encodeEnvelope(sample);
    other[0] = 2;
    expect(() => decodeEnvelope(other)).toThrow(/unknown codec version 2 for envelope \(expected 1\)/);
    const truncated = encodeEnvelope(sample).subarray(0, 20);
    const err = (() => {
      try {
        decodeEnvelope(truncated);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).message).toMatch(/^malformed msgpack in envelope: /);
    expect((err as DecodeError).cause).toBeInstanceOf(Error);
  });

  // Corrupts one field of the wire form of `sample`; the message names the field.
  const wire = decodeValue(encodeEnvelope({ ...sample, causedBy: 'c' })) as unknown[];
  const corrupt = (i: number, v: unknown): Uint8Array => encodeValue(wire.map((w, j) => (j === i ? v : w)));
  it.each([
    ['id', corrupt(0, 7), /'id' must be a string/],
    ['type', corrupt(1, null), /'type' must be a string/],
    ['to.type', corrupt(2, {}), /'to.type' must be a string/],
    ['to.id', corrupt(3, true), /'to.id' must be a string/],
    ['from', corrupt(4, ['x']), /'from' must be a string/],
    ['seq zero', corrupt(5, 0), /'seq' must be a positive integer/],
    ['seq fraction', corrupt(5, 1.5), /'seq' must be a positive integer/],
    ['seq string', corrupt(5, '1'), /'seq' must be a positive integer/],
    ['hlc', corrupt(6, 1), /'hlc' must be a string/],
    ['causedBy', corrupt(7, 1), /'causedBy' must be a string or absent/],
    ['replyTo', corrupt(8, false), /'replyTo' must be a string or absent/],
    ['payload', corrupt(9, 'DEPOSIT'), /'payload' must be an object with a string type/],
    ['payload.type', corrupt(9, { type: 1 }), /'payload' must be an object with a string type/],
    ['payload type mismatch', corrupt(9, { type: 'WITHDRAW' }), /payload type 'WITHDRAW' is not 'DEPOSIT'/],
    ['timings', corrupt(10, { sent: 1 }), /'timings' must be an array of 5/],
    ['timings.sent', corrupt(10, [null, null, null, null, null]), /'timings.sent' must be a finite number/],
    ['timings.started', corrupt(10, [1, null, null, 'x', null]), /'timings.started' must be a finite number/],
    ['a map', encodeValue(sample), /expected an array of 11 fields/],
    ['too short', encodeValue(wire.slice(0, 10)), /expected an array of 11 fields/],
  ])('rejects a bad %s', (_name, bytes, message) => {
    expect(() => decodeEnvelope(bytes)).toThrow(DecodeError);
    expect(() => decodeEnvelope(bytes)).toThrow(message);
  });

  it('never throws anything but DecodeError on arbitrary bytes', () => {
    const framed = fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.of(CODEC_VERSION, ...b));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), framed), (bytes) => {
        onlyDecodeErrors(decodeEnvelope, bytes);
        onlyDecodeErrors(decodeRecord, bytes);
        onlyDecodeErrors(decodeValue, bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes corrupted envelopes to a valid envelope or DecodeError', () => {
    const mutated = fc
      .tuple(envelopes, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat())
      .map(([env, edits, cut]) => {
        const bytes = encodeEnvelope(env);
        for (const [at, byte] of edits) bytes[1 + (at % (bytes.length - 1))] = byte;
        return bytes.subarray(0, bytes.length - (cut % 3));
      });
    fc.assert(
      fc.property(mutated, (bytes) => {
        try {
          const env = decodeEnvelope(bytes);
          expect(decodeEnvelope(encodeEnvelope(env))).toStrictEqual(env); // a valid one
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('record', () => {
  it('round-trips any record', () => {
    fc.assert(
      fc.property(records, (r) => {
        expect(decodeRecord(encodeRecord(r))).toStrictEqual(r);
      }),
      { numRuns: 300 },
    );
  });

  const good: ActorRecord = { snapshot: { v: 1 }, appliedSeq: 3, inSeq: { a: 1 }, outSeq: {}, timers: [], hlc: 'h' };
  it.each([
    ['not a map', encodeValue([1]), /expected a map/],
    ['appliedSeq', encodeValue({ ...good, appliedSeq: -1 }), /'appliedSeq' must be a non-negative integer/],
    ['hlc', encodeValue({ ...good, hlc: 5 }), /'hlc' must be a string/],
    ['inSeq', encodeValue({ ...good, inSeq: { a: 'x' } }), /'inSeq\['a'\]' must be a non-negative integer/],
    ['outSeq', encodeValue({ ...good, outSeq: null }), /'outSeq' must be an object/],
    ['timers', encodeValue({ ...good, timers: {} }), /'timers' must be an array/],
    ['timer', encodeValue({ ...good, timers: [{ key: 'k', dueAt: 1, event: {} }] }), /'timers\[0\]' must be a timer/],
  ])('rejects a bad %s', (_name, bytes, message) => {
    expect(() => decodeRecord(bytes)).toThrow(DecodeError);
    expect(() => decodeRecord(bytes)).toThrow(message);
  });

  it('checks the version byte', () => {
    const bytes = encodeRecord(good);
    bytes[0] = 0;
    expect(() => decodeRecord(bytes)).toThrow(/unknown codec version 0 for record/);
  });
});

describe('value', () => {
  it('round-trips msgpack values', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(decodeValue(encodeValue(v))).toStrictEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  it('turns a bare undefined into null and checks the version byte', () => {
    expect(decodeValue(encodeValue(undefined))).toBeNull();
    expect(() => decodeValue(Uint8Array.of(9, 0xc0))).toThrow(/unknown codec version 9 for value/);
    expect(() => decodeValue(new Uint8Array())).toThrow(DecodeError);
  });
});

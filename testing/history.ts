/**
 * The history of a run, as flat records: what was sent, processed, persisted, dead-lettered,
 * and what the clocks read. The runtime records it (in one process for a simulated cluster,
 * or as JSON lines written by every node of a real cluster); the checkers in `./checkers/`
 * judge it without trusting any runtime code.
 *
 * Order: a history recorded in one process is in recorded (real-time) order. A history merged
 * from several processes keeps each node's records in that node's order but interleaves the
 * nodes arbitrarily, so the checkers rely only on per-node order and on the links that event
 * ids make (send -> processing -> emitted sends), never on wall time across nodes.
 */

interface RecordBase {
  /** Id of the node that recorded it. */
  readonly node: string;
  /** Wall-clock ms on that node when it was recorded (informative only). */
  readonly at: number;
}

/** A send and its outcome for the caller. */
export interface SendRecord extends RecordBase {
  readonly kind: 'send';
  /** Envelope id. Emitted events keep their id when a handling is replayed. */
  readonly event: string;
  /** Sender key: `<type>/<id>` for actors, `client/<node>/<incarnation>` for clients. */
  readonly from: string;
  /** Target actor, `<type>/<id>`. */
  readonly to: string;
  /** Per (from, to) sequence number of accepted sends. */
  readonly seq: number;
  /** Encoded HLC stamp of the envelope. */
  readonly hlc: string;
  /** Id of the event whose processing emitted this one. */
  readonly causedBy?: string;
  /** `false`: the send failed loudly to its caller, so nothing is owed for it. */
  readonly accepted: boolean;
  /**
   * The log already held this id: a re-issue (replayed turn, retried emit) whose own stamp
   * was never delivered. Checkers take the stamp the processing saw instead.
   */
  readonly duplicate?: boolean;
}

/** An actor started processing an event. */
export interface StartRecord extends RecordBase {
  readonly kind: 'start';
  readonly event: string;
  readonly actor: string;
  /** The event's HLC stamp (as carried by the envelope). */
  readonly hlc: string;
  /** Fencing epoch of the partition owner doing the processing. */
  readonly epoch: number;
}

/** An actor finished processing an event. */
export interface EndRecord extends RecordBase {
  readonly kind: 'end';
  readonly event: string;
  readonly actor: string;
  readonly epoch: number;
  /** `false`: the handler failed; the event will be retried or dead-lettered. */
  readonly ok: boolean;
}

/** A persisted state write of one actor. */
export interface CommitRecord extends RecordBase {
  readonly kind: 'commit';
  readonly actor: string;
  readonly epoch: number;
  readonly partition: number;
  /** Ids of the events whose effect this write persists, in processing order. */
  readonly appliedEvents: readonly string[];
  /** `false`: the store refused the write (stale epoch). */
  readonly accepted: boolean;
  /**
   * Reported by a later owner that found this write in the store: the writer (`node`) never
   * heard the store's answer. Describes a write that happened earlier than where it stands.
   */
  readonly recovered?: boolean;
}

/** The runtime gave up on an event. */
export interface DeadRecord extends RecordBase {
  readonly kind: 'dead';
  readonly event: string;
  readonly reason: string;
}

/** An HLC reading with the physical time it was taken at. */
export interface ClockRecord extends RecordBase {
  readonly kind: 'clock';
  readonly hlc: string;
  /** Physical clock (ms) when the reading was taken. */
  readonly physical: number;
}

/** The node crashed (recorded by whoever killed it, or on its behalf). */
export interface CrashRecord extends RecordBase {
  readonly kind: 'crash';
}

/** The node started again. */
export interface RestartRecord extends RecordBase {
  readonly kind: 'restart';
}

export type HistoryEvent =
  | SendRecord
  | StartRecord
  | EndRecord
  | CommitRecord
  | DeadRecord
  | ClockRecord
  | CrashRecord
  | RestartRecord;

export type HistoryEventKind = HistoryEvent['kind'];

/** Records in recorded order (see the module doc for what that order means). */
export type History = readonly HistoryEvent[];

/** A line of a JSON-lines history is not a valid record. */
export class HistoryParseError extends Error {
  constructor(
    /** 1-based line number. */
    readonly line: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`invalid history record on line ${line}: ${reason}`, options);
    this.name = new.target.name;
  }
}

type FieldType = 'string' | 'int' | 'number' | 'boolean' | 'strings' | 'string?';

const COMMON: Readonly<Record<string, FieldType>> = { node: 'string', at: 'number' };

const FIELDS: { readonly [K in HistoryEventKind]: Readonly<Record<string, FieldType>> } = {
  send: {
    event: 'string',
    from: 'string',
    to: 'string',
    seq: 'int',
    hlc: 'string',
    causedBy: 'string?',
    accepted: 'boolean',
  },
  start: { event: 'string', actor: 'string', hlc: 'string', epoch: 'int' },
  end: { event: 'string', actor: 'string', epoch: 'int', ok: 'boolean' },
  commit: {
    actor: 'string',
    epoch: 'int',
    partition: 'int',
    appliedEvents: 'strings',
    accepted: 'boolean',
  },
  dead: { event: 'string', reason: 'string' },
  clock: { hlc: 'string', physical: 'number' },
  crash: {},
  restart: {},
};

function fits(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'string?':
      return value === undefined || typeof value === 'string';
    case 'int':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}

const TYPE_NAMES: Readonly<Record<FieldType, string>> = {
  string: 'a string',
  'string?': 'a string when present',
  int: 'an integer',
  number: 'a finite number',
  boolean: 'a boolean',
  strings: 'an array of strings',
};

/**
 * Checks that `value` is a history record and returns it typed. Unknown extra fields are
 * kept (newer recorders may add some). Throws an `Error` whose message says what is wrong.
 */
export function toHistoryEvent(value: unknown): HistoryEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('not a JSON object');
  }
  const record = value as Record<string, unknown>;
  const kind = record['kind'];
  if (typeof kind !== 'string' || !Object.hasOwn(FIELDS, kind)) {
    throw new Error(`unknown kind: ${JSON.stringify(kind)}`);
  }
  const fields = { ...COMMON, ...FIELDS[kind as HistoryEventKind] };
  for (const [name, type] of Object.entries(fields)) {
    if (!fits(record[name], type)) {
      const got = record[name] === undefined ? 'missing' : JSON.stringify(record[name]);
      throw new Error(`'${kind}' field '${name}' must be ${TYPE_NAMES[type]} (got ${got})`);
    }
  }
  return record as unknown as HistoryEvent;
}

/**
 * Parses a JSON-lines history (one record per line; blank lines ignored), e.g. the
 * concatenated files written by the nodes of a real cluster.
 * @throws HistoryParseError naming the first bad line.
 */
export function parseJsonLines(text: string): History {
  const history: HistoryEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new HistoryParseError(i + 1, 'not valid JSON', { cause });
    }
    try {
      history.push(toHistoryEvent(value));
    } catch (cause) {
      throw new HistoryParseError(i + 1, (cause as Error).message, { cause });
    }
  }
  return history;
}

/** The JSON-lines form `parseJsonLines` reads (one record per line, trailing newline). */
export function toJsonLines(history: History): string {
  return history.map((record) => JSON.stringify(record) + '\n').join('');
}

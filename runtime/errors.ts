/**
 * One error class per condition. Each carries a stable `code` so it can cross the wire,
 * and a short lowercase message quoting the offending value.
 */

export type ErrorCode =
  | 'CLOCK_AHEAD'
  | 'DECODE'
  | 'UNKNOWN_ACTOR_TYPE'
  | 'REJECTED_EVENT'
  | 'OVERSIZE'
  | 'MAILBOX_FULL'
  | 'ASK_TIMEOUT'
  | 'STALE_EPOCH'
  | 'NOT_ACCEPTED'
  | 'NODE_STOPPED'
  | 'INVALID_OPTION'
  | 'HANDLER_FAILED'
  | 'UNSUPPORTED';

export class CausewayError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A remote HLC is further ahead of local physical time than `maxOffset`. */
export class ClockAheadError extends CausewayError {
  constructor(
    readonly remoteWall: number,
    readonly localPhysical: number,
    readonly maxOffsetMs: number,
  ) {
    super(
      'CLOCK_AHEAD',
      `remote clock ahead by ${remoteWall - localPhysical} ms (max offset ${maxOffsetMs} ms)`,
    );
  }
}

/** Bytes that are not a valid envelope (or record). */
export class DecodeError extends CausewayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DECODE', message, options);
  }
}

export class UnknownActorTypeError extends CausewayError {
  constructor(readonly actorType: string) {
    super('UNKNOWN_ACTOR_TYPE', `unknown actor type: '${actorType}'`);
  }
}

/** The actor type does not declare this event type. */
export class RejectedEventError extends CausewayError {
  constructor(
    readonly actorType: string,
    readonly eventType: string,
  ) {
    super('REJECTED_EVENT', `actor type '${actorType}' does not accept event '${eventType}'`);
  }
}

export class OversizeError extends CausewayError {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super('OVERSIZE', `payload of ${size} bytes exceeds the limit of ${limit} bytes`);
  }
}

export class MailboxFullError extends CausewayError {
  constructor(
    readonly actor: string,
    readonly capacity: number,
  ) {
    super('MAILBOX_FULL', `mailbox of '${actor}' is full (${capacity})`);
  }
}

export class AskTimeoutError extends CausewayError {
  constructor(
    readonly actor: string,
    readonly timeoutMs: number,
  ) {
    super('ASK_TIMEOUT', `no reply from '${actor}' within ${timeoutMs} ms`);
  }
}

/** A write carried an ownership epoch that is no longer current. */
export class StaleEpochError extends CausewayError {
  constructor(
    readonly partition: number,
    readonly epoch: number,
    readonly current: number,
  ) {
    super('STALE_EPOCH', `stale epoch ${epoch} for partition ${partition} (current ${current})`);
  }
}

/** The log did not accept an event; the caller still owns it. */
export class NotAcceptedError extends CausewayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_ACCEPTED', message, options);
  }
}

export class NodeStoppedError extends CausewayError {
  constructor(readonly nodeId: string) {
    super('NODE_STOPPED', `node '${nodeId}' is stopped`);
  }
}

export class InvalidOptionError extends CausewayError {
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super('INVALID_OPTION', `invalid option '${option}': ${reason}`);
  }
}

/** The actor's behavior threw while handling an event. */
export class HandlerFailedError extends CausewayError {
  constructor(actor: string, eventType: string, options?: { cause?: unknown }) {
    super('HANDLER_FAILED', `actor '${actor}' failed on '${eventType}'`, options);
  }
}

/** The transport lacks something a call needs (e.g. a log that can be read back). */
export class UnsupportedError extends CausewayError {
  constructor(readonly feature: string, readonly transport: string) {
    super('UNSUPPORTED', `transport '${transport}' does not support ${feature}`);
  }
}

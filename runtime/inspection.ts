/**
 * What a node reports about itself, as a discriminated union. The shapes match the test
 * kit's history records (`causeway/testing`), so a recorded run can be checked directly;
 * the runtime itself never reads them back.
 */

export type InspectionEvent =
  | SendRecord
  | StartRecord
  | EndRecord
  | CommitRecord
  | DeadRecord
  | ClockRecord
  | NodeRecord;

interface Base {
  readonly node: string;
  /** Wall-clock ms of the recording node. */
  readonly at: number;
}

/** An event was offered to the log; `accepted` says whether the append succeeded. */
export interface SendRecord extends Base {
  readonly kind: 'send';
  readonly event: string;
  readonly from: string;
  /** `<type>/<id>` */
  readonly to: string;
  readonly seq: number;
  readonly hlc: string;
  readonly causedBy?: string;
  readonly accepted: boolean;
  /** The log already held this id (a re-issue): this copy's stamp was never delivered. */
  readonly duplicate?: boolean;
}

export interface StartRecord extends Base {
  readonly kind: 'start';
  readonly event: string;
  readonly actor: string;
  readonly hlc: string;
  readonly epoch: number;
}

export interface EndRecord extends Base {
  readonly kind: 'end';
  readonly event: string;
  readonly actor: string;
  readonly epoch: number;
  readonly ok: boolean;
}

/**
 * A group commit: the effects of `appliedEvents` were (or were not) persisted. Written by
 * the committing node when the store answers; or, when that node never heard the answer,
 * by the next owner that finds the write in the store (`recovered`, same node and epoch).
 * A write whose outcome is unknown is not recorded by its writer.
 */
export interface CommitRecord extends Base {
  readonly kind: 'commit';
  readonly actor: string;
  readonly epoch: number;
  readonly partition: number;
  readonly appliedEvents: readonly string[];
  readonly accepted: boolean;
  readonly recovered?: boolean;
}

export interface DeadRecord extends Base {
  readonly kind: 'dead';
  readonly event: string;
  readonly reason: string;
}

/** An HLC reading and the physical time it was taken at. */
export interface ClockRecord extends Base {
  readonly kind: 'clock';
  readonly hlc: string;
  readonly physical: number;
}

export interface NodeRecord extends Base {
  readonly kind: 'crash' | 'restart';
}

export type Inspector = (event: InspectionEvent) => void;

/**
 * Builders for hand-made histories in the checker tests: node `n1`, epoch 1 and accepted
 * unless overridden.
 */

import type {
  ClockRecord,
  CommitRecord,
  DeadRecord,
  EndRecord,
  HistoryEvent,
  SendRecord,
  StartRecord,
} from '../testing/history.ts';
import { formatHlc } from './checkers-sim.ts';

/** An encoded HLC: wall ms 1_000_000 + `wall`, `logical`, `node`. */
export const hlc = (wall: number, logical = 0, node = 'n1'): string =>
  formatHlc(1_000_000 + wall, logical, node);

export function send(
  event: string,
  from: string,
  to: string,
  seq: number,
  stamp: string,
  more: Partial<SendRecord> = {},
): SendRecord {
  return { kind: 'send', node: 'n1', at: 0, event, from, to, seq, hlc: stamp, accepted: true, ...more };
}

export function start(event: string, actor: string, stamp: string, more: Partial<StartRecord> = {}): StartRecord {
  return { kind: 'start', node: 'n1', at: 0, event, actor, hlc: stamp, epoch: 1, ...more };
}

export function end(event: string, actor: string, more: Partial<EndRecord> = {}): EndRecord {
  return { kind: 'end', node: 'n1', at: 0, event, actor, epoch: 1, ok: true, ...more };
}

export function commit(actor: string, appliedEvents: string[], more: Partial<CommitRecord> = {}): CommitRecord {
  return { kind: 'commit', node: 'n1', at: 0, actor, epoch: 1, partition: 0, appliedEvents, accepted: true, ...more };
}

export function dead(event: string, more: Partial<DeadRecord> = {}): DeadRecord {
  return { kind: 'dead', node: 'n1', at: 0, event, reason: 'handler-failed', ...more };
}

export function clock(stamp: string, physical: number, more: Partial<ClockRecord> = {}): ClockRecord {
  return { kind: 'clock', node: 'n1', at: 0, hlc: stamp, physical, ...more };
}

export const crash = (node: string): HistoryEvent => ({ kind: 'crash', node, at: 0 });
export const restart = (node: string): HistoryEvent => ({ kind: 'restart', node, at: 0 });

/** start + ok end (+ commit unless `commit: false`) of `event` at `actor`. */
export function processed(
  event: string,
  actor: string,
  stamp: string,
  opts: { node?: string; epoch?: number; commit?: boolean; partition?: number } = {},
): HistoryEvent[] {
  const { node = 'n1', epoch = 1, partition = 0 } = opts;
  const records: HistoryEvent[] = [start(event, actor, stamp, { node, epoch }), end(event, actor, { node, epoch })];
  if (opts.commit !== false) records.push(commit(actor, [event], { node, epoch, partition }));
  return records;
}

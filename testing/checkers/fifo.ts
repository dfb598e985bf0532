/**
 * G3, per-sender FIFO: for each (from, to), the receiver effectively processes accepted
 * events in `seq` order.
 *
 * Sorting a channel's events by processing order and comparing neighbours finds every
 * inversion that matters: if any pair is out of `seq` order, some adjacent pair is. Events
 * never processed (lost or dead-lettered) are left to the exactly-once checker.
 */

import type { History, SendRecord } from '../history.ts';
import { analyze, compareKeys, whereProcessed, type Effective } from './analysis.ts';
import type { Violation } from './types.ts';

interface Delivered {
  readonly send: SendRecord;
  readonly effective: Effective;
}

export function checkFifo(history: History): Violation[] {
  const { sends, effective } = analyze(history);
  const violations: Violation[] = [];
  const channels = new Map<string, Delivered[]>();
  const bySeq = new Map<string, SendRecord>();

  for (const send of sends.values()) {
    const channel = `${send.from}\0${send.to}`;
    const seqKey = `${channel}\0${send.seq}`;
    const holder = bySeq.get(seqKey);
    if (holder === undefined) bySeq.set(seqKey, send);
    else {
      violations.push({
        checker: 'fifo',
        kind: 'fifo-seq-reuse',
        message:
          `'${send.from}' -> '${send.to}': seq ${send.seq} carried by both ` +
          `'${holder.event}' and '${send.event}'`,
        events: [holder, send],
      });
    }
    const e = effective.get(send.event);
    if (e === undefined) continue;
    const list = channels.get(channel);
    if (list === undefined) channels.set(channel, [{ send, effective: e }]);
    else list.push({ send, effective: e });
  }

  for (const list of channels.values()) {
    list.sort((a, b) => compareKeys(a.effective.key, b.effective.key));
    for (let i = 1; i < list.length; i++) {
      const first = list[i - 1]!;
      const second = list[i]!;
      if (first.send.seq <= second.send.seq) continue;
      const { from, to } = first.send;
      violations.push({
        checker: 'fifo',
        kind: 'fifo-order',
        message:
          `'${from}' -> '${to}': seq ${first.send.seq} ('${first.send.event}') was processed ` +
          `before seq ${second.send.seq} ('${second.send.event}')`,
        events: [
          second.send,
          first.send,
          ...whereProcessed(first.effective),
          ...whereProcessed(second.effective),
        ],
      });
    }
  }
  return violations;
}


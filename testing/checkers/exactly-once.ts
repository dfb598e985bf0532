/**
 * G5, effectively once: every accepted event takes effect exactly once, or is dead-lettered
 * exactly once; every emitted id stands for one send.
 *
 * Effects of an event: occurrences in accepted commits' `appliedEvents`, plus, at actors
 * without commit records, processings that ended ok. An accepted event is
 * - lost when it has no effect and no dead letter,
 * - duplicated when effects + dead letters > 1 (committed twice, processed ok twice without
 *   commits, or both processed and dead-lettered).
 * A replayed handling re-emits its sends with the same ids, so one id may be sent several
 * times; it must always be the same (from, to, seq), or two different sends share an id and
 * the log's dedup silently drops one.
 */

import type { History, HistoryEvent, SendRecord } from '../history.ts';
import { analyze, type Analysis } from './analysis.ts';
import type { Violation } from './types.ts';

export function checkExactlyOnce(history: History): Violation[] {
  const analysis = analyze(history);
  const violations: Violation[] = [];
  for (const [event, records] of analysis.acceptedSends) {
    const conflict = conflicting(records);
    if (conflict !== undefined) {
      violations.push({
        checker: 'exactly-once',
        kind: 'conflicting-emission',
        message:
          `'${event}' was sent as ${describe(records[0]!)} and as ${describe(conflict)}`,
        events: [...records],
      });
    }
    const send = records[0]!;
    const effects = effectsOf(analysis, event);
    const dead = analysis.dead.get(event) ?? [];
    const count = effects.length + dead.length;
    if (count === 0) {
      violations.push({
        checker: 'exactly-once',
        kind: 'lost',
        message: `'${event}' to '${send.to}' was accepted but never processed nor dead-lettered`,
        events: [send],
      });
    } else if (count > 1) {
      const what = [
        effects.length > 0 ? `took effect ${effects.length} time(s)` : '',
        dead.length > 0 ? `was dead-lettered ${dead.length} time(s)` : '',
      ].filter(Boolean);
      violations.push({
        checker: 'exactly-once',
        kind: 'duplicate',
        message: `'${event}' to '${send.to}' ${what.join(' and ')}`,
        events: [send, ...effects, ...dead],
      });
    }
  }
  return violations;
}

/** Commits persisting the event, and ok ends where the actor has no commits at all. */
function effectsOf(analysis: Analysis, event: string): HistoryEvent[] {
  const effects: HistoryEvent[] = [...(analysis.commits.get(event) ?? [])];
  for (const p of analysis.processings.get(event) ?? []) {
    if (p.end?.ok && !analysis.actorsWithCommits.has(p.start.actor)) effects.push(p.end);
  }
  return effects;
}

function conflicting(records: readonly SendRecord[]): SendRecord | undefined {
  const [first] = records;
  return records.find((r) => r.from !== first!.from || r.to !== first!.to || r.seq !== first!.seq);
}

function describe(r: SendRecord): string {
  return `'${r.from}' -> '${r.to}' seq ${r.seq}`;
}

/**
 * G2, turn-based single activation with fencing:
 * - overlap: a `start` for an actor while another processing of it is still open (no `end`
 *   yet, no crash or restart of its node in between): on another node under the same or a
 *   newer epoch, or a second turn on the same node. A processing under an older epoch that
 *   a newer owner overlaps counts only if its effect is then accepted by the store (it
 *   applied while fenced off); one the store refuses or that never ends (the paused owner
 *   dropped it on waking) is what fencing allows;
 * - stale owner: an actor processed under an epoch lower than one it was already processed
 *   under (the old owner went on after the new one took over);
 * - stale write: an accepted commit whose epoch is lower than an epoch already accepted for
 *   the same partition;
 * - shared epoch: one actor's epoch used by two nodes (an epoch names one owner).
 *
 * The first three read the recorded order. With `order: 'global'` (one recording process)
 * that order is real time across nodes. With `'per-node'` (merged from several processes)
 * they run on each node's records separately, so cross-node overlaps are judged by epochs
 * only: the shared-epoch rule, and, within a node, epochs going backwards.
 */

import type { CommitRecord, History, HistoryEvent, StartRecord } from '../history.ts';
import { parseCheckOptions, type CheckOptions, type Violation } from './types.ts';

export function checkSingleActivation(history: History, options?: CheckOptions): Violation[] {
  const { order } = parseCheckOptions(options);
  const violations: Violation[] = [];
  const groups = order === 'global' ? [history] : byNode(history);
  for (const records of groups) scanRecordedOrder(records, violations);
  checkSharedEpochs(history, violations);
  return violations;
}

function byNode(history: History): HistoryEvent[][] {
  const groups = new Map<string, HistoryEvent[]>();
  for (const r of history) {
    const list = groups.get(r.node);
    if (list === undefined) groups.set(r.node, [r]);
    else list.push(r);
  }
  return [...groups.values()];
}

function scanRecordedOrder(records: readonly HistoryEvent[], violations: Violation[]): void {
  const open = new Map<string, StartRecord[]>();
  // An open start that never ends would clash with every later start: report it once.
  const reported = new Set<StartRecord>();
  /** Open processings under an older epoch than a start that came after them. */
  const superseded = new Map<StartRecord, StartRecord>();
  /** Such processings that ended ok: a violation once their effect is accepted. */
  const completedFenced = new Map<string, [StartRecord, StartRecord]>();
  const committed = new Set(records.filter((r) => r.kind === 'commit').map((r) => (r as CommitRecord).actor));
  const highestStart = new Map<string, StartRecord>();
  const highestCommit = new Map<number, CommitRecord>();

  for (const r of records) {
    switch (r.kind) {
      case 'start': {
        const running = open.get(r.actor) ?? [];
        for (const other of running) {
          if (reported.has(other)) continue;
          if (other.epoch < r.epoch) {
            // A fenced-off owner still in a turn (paused, say) is harmless unless that turn
            // goes on to complete: judged at its `end`.
            superseded.set(other, r);
            continue;
          }
          reported.add(other);
          violations.push(overlap(r, other));
        }
        running.push(r);
        open.set(r.actor, running);
        const high = highestStart.get(r.actor);
        if (high !== undefined && r.epoch < high.epoch) {
          violations.push({
            checker: 'single-activation',
            kind: 'double-activation',
            message:
              `'${r.actor}' processed '${r.event}' on ${r.node} under epoch ${r.epoch} ` +
              `after epoch ${high.epoch} began on ${high.node}`,
            events: [high, r],
          });
        }
        if (high === undefined || r.epoch > high.epoch) highestStart.set(r.actor, r);
        break;
      }
      case 'end': {
        const running = open.get(r.actor);
        const i = running?.findLastIndex((s) => s.node === r.node && s.event === r.event) ?? -1;
        if (i >= 0) {
          const [started] = running!.splice(i, 1);
          const newer = superseded.get(started!);
          if (newer !== undefined && r.ok && !reported.has(started!)) {
            if (committed.has(r.actor)) completedFenced.set(fencedKey(started!), [newer, started!]);
            else {
              // No commit records for this actor: a completed turn is its effect.
              reported.add(started!);
              violations.push(overlap(newer, started!));
            }
          }
        }
        break;
      }
      case 'crash':
      case 'restart':
        for (const [actor, running] of open) {
          open.set(actor, running.filter((s) => s.node !== r.node));
        }
        break;
      case 'commit': {
        // A recovered commit reports an earlier write: its place in the order says nothing.
        if (!r.accepted || r.recovered) break;
        for (const event of r.appliedEvents) {
          const pair = completedFenced.get(`${r.node}\0${r.epoch}\0${event}`);
          if (pair === undefined || reported.has(pair[1])) continue;
          reported.add(pair[1]);
          violations.push(overlap(pair[0], pair[1]));
        }
        const high = highestCommit.get(r.partition);
        if (high !== undefined && r.epoch < high.epoch) {
          violations.push({
            checker: 'single-activation',
            kind: 'stale-write',
            message:
              `partition ${r.partition}: write of '${r.actor}' under epoch ${r.epoch} by ${r.node} ` +
              `was accepted after epoch ${high.epoch} had written`,
            events: [high, r],
          });
        }
        if (high === undefined || r.epoch > high.epoch) highestCommit.set(r.partition, r);
        break;
      }
      default:
        break;
    }
  }
}

function fencedKey(r: StartRecord): string {
  return `${r.node}\0${r.epoch}\0${r.event}`;
}

function overlap(r: StartRecord, other: StartRecord): Violation {
  const here = r.node === other.node && r.epoch === other.epoch;
  const message = here
    ? `'${r.actor}' started '${r.event}' on ${r.node} while '${other.event}' was still ` +
      `being processed there`
    : `'${r.actor}' started '${r.event}' on ${r.node} (epoch ${r.epoch}) while '${other.event}' ` +
      `was being processed on ${other.node} (epoch ${other.epoch})`;
  return { checker: 'single-activation', kind: 'double-activation', message, events: [other, r] };
}

function checkSharedEpochs(history: History, violations: Violation[]): void {
  const owners = new Map<string, HistoryEvent>();
  const reported = new Set<string>();
  for (const r of history) {
    if (r.kind !== 'start' && r.kind !== 'commit') continue;
    const key = `${r.actor}\0${r.epoch}`;
    const owner = owners.get(key);
    if (owner === undefined) {
      owners.set(key, r);
      continue;
    }
    if (owner.node === r.node || reported.has(`${key}\0${r.node}`)) continue;
    reported.add(`${key}\0${r.node}`);
    violations.push({
      checker: 'single-activation',
      kind: 'double-activation',
      message: `epoch ${r.epoch} of '${r.actor}' was used by both ${owner.node} and ${r.node}`,
      events: [owner, r],
    });
  }
}

/**
 * The facts every checker starts from, derived once per history: the accepted send of each
 * event, its processings (start..end pairs), and its *effective* processing.
 *
 * Effective processing of an event: the processing whose effect counts.
 * - For an actor with commit records, a processing counts only if an accepted commit lists
 *   the event in `appliedEvents`; the processing is the last ok one on the commit's node
 *   (same epoch preferred) before the commit. If an event is committed twice (a G5
 *   violation), the earliest commit in processing order counts.
 * - For an actor without any commit record, the last processing that ended ok counts.
 *
 * Processing order of one actor is (epoch, node, position): across nodes only the fencing
 * epoch orders ownership (no cross-node wall clock); within a node the recorded order is
 * real. When single activation holds, this is also the real-time order.
 */

import type {
  CommitRecord,
  DeadRecord,
  EndRecord,
  History,
  HistoryEvent,
  SendRecord,
  StartRecord,
} from '../history.ts';

export interface OrderKey {
  readonly epoch: number;
  readonly node: string;
  /** Position in the history; only compared between records of the same node. */
  readonly index: number;
}

export function compareKeys(a: OrderKey, b: OrderKey): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return a.index - b.index;
}

/** A `start` with the `end` that closed it, if any (a crash leaves it open). */
export interface Processing {
  readonly start: StartRecord;
  readonly startIndex: number;
  end?: EndRecord;
  endIndex?: number;
}

export interface Effective {
  readonly event: string;
  readonly actor: string;
  readonly key: OrderKey;
  /** Missing only when a commit lists an event no processing on its node matches. */
  readonly processing?: Processing;
  readonly commit?: CommitRecord;
}

/** The record that shows where an effective processing happened, for reports. */
export function whereProcessed(e: Effective): HistoryEvent[] {
  if (e.processing) return [e.processing.start];
  return e.commit ? [e.commit] : [];
}

export interface Analysis {
  /** The first accepted send record of each event id. */
  readonly sends: ReadonlyMap<string, SendRecord>;
  /** Every accepted send record, by event id (re-emissions after a replay included). */
  readonly acceptedSends: ReadonlyMap<string, readonly SendRecord[]>;
  readonly processings: ReadonlyMap<string, readonly Processing[]>;
  /** Accepted commits by listed event id; a commit listing an id twice appears twice. */
  readonly commits: ReadonlyMap<string, readonly CommitRecord[]>;
  readonly actorsWithCommits: ReadonlySet<string>;
  readonly effective: ReadonlyMap<string, Effective>;
  readonly dead: ReadonlyMap<string, readonly DeadRecord[]>;
}

const cache = new WeakMap<History, Analysis>();

/** Derives (once per history object) the facts above. */
export function analyze(history: History): Analysis {
  let analysis = cache.get(history);
  if (analysis === undefined) {
    analysis = build(history);
    cache.set(history, analysis);
  }
  return analysis;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function build(history: History): Analysis {
  const sends = new Map<string, SendRecord>();
  const acceptedSends = new Map<string, SendRecord[]>();
  const processings = new Map<string, Processing[]>();
  const commits = new Map<string, CommitRecord[]>();
  const commitAt: { commit: CommitRecord; index: number }[] = [];
  const actorsWithCommits = new Set<string>();
  const dead = new Map<string, DeadRecord[]>();
  // Open processings by node + actor + event: an `end` closes the latest matching `start`.
  const open = new Map<string, Processing>();
  const seenCommits = new Set<string>();

  history.forEach((r, index) => {
    switch (r.kind) {
      case 'send':
        if (!r.accepted) break;
        if (!sends.has(r.event) || (sends.get(r.event)!.duplicate === true && r.duplicate !== true)) sends.set(r.event, r);
        push(acceptedSends, r.event, r);
        break;
      case 'start': {
        const p: Processing = { start: r, startIndex: index };
        push(processings, r.event, p);
        open.set(`${r.node}\0${r.actor}\0${r.event}`, p);
        break;
      }
      case 'end': {
        const key = `${r.node}\0${r.actor}\0${r.event}`;
        const p = open.get(key);
        if (p === undefined) break;
        p.end = r;
        p.endIndex = index;
        open.delete(key);
        break;
      }
      case 'commit': {
        actorsWithCommits.add(r.actor);
        if (!r.accepted) break;
        // The same write reported twice (by its writer, and recovered by a later owner; or
        // retried after an unknown outcome) is one effect.
        const identity = `${r.node}\0${r.epoch}\0${r.actor}\0${r.appliedEvents.join('\0')}`;
        if (seenCommits.has(identity)) break;
        seenCommits.add(identity);
        commitAt.push({ commit: r, index });
        for (const id of r.appliedEvents) push(commits, id, r);
        break;
      }
      case 'dead':
        push(dead, r.event, r);
        break;
      case 'crash':
      case 'restart':
        // Whatever was running on the node is gone; a later `end` cannot belong to it.
        for (const [key, p] of open) if (p.start.node === r.node) open.delete(key);
        break;
      case 'clock':
        break;
    }
  });

  const effective = new Map<string, Effective>();
  const offer = (e: Effective): void => {
    const prev = effective.get(e.event);
    if (prev === undefined || compareKeys(e.key, prev.key) < 0) effective.set(e.event, e);
  };
  for (const { commit, index } of commitAt) {
    for (const event of commit.appliedEvents) {
      const p = committedProcessing(processings.get(event) ?? [], commit, index);
      const key = p
        ? { epoch: p.start.epoch, node: p.start.node, index: p.startIndex }
        : { epoch: commit.epoch, node: commit.node, index };
      offer({ event, actor: commit.actor, key, commit, ...(p ? { processing: p } : {}) });
    }
  }
  for (const [event, list] of processings) {
    let last: Processing | undefined;
    for (const p of list) {
      if (!p.end?.ok || actorsWithCommits.has(p.start.actor)) continue;
      if (last === undefined || compareKeys(keyOf(p), keyOf(last)) > 0) last = p;
    }
    // Only when no commit made an earlier choice (an event is processed at one actor).
    if (last !== undefined && !effective.has(event)) {
      effective.set(event, { event, actor: last.start.actor, key: keyOf(last), processing: last });
    }
  }
  // A send re-issued under the same id (a replayed turn, a retried emit) gets a new stamp,
  // but the log keeps the first copy: what was delivered is the stamp a processing saw.
  for (const [event, send] of sends) {
    if (send.duplicate !== true) continue;
    const delivered = processings.get(event)?.[0]?.start.hlc;
    if (delivered !== undefined) sends.set(event, { ...send, hlc: delivered });
  }
  return { sends, acceptedSends, processings, commits, actorsWithCommits, effective, dead };
}

function keyOf(p: Processing): OrderKey {
  return { epoch: p.start.epoch, node: p.start.node, index: p.startIndex };
}

/** The last ok processing on the commit's node before it, preferring the commit's epoch. */
function committedProcessing(
  list: readonly Processing[],
  commit: CommitRecord,
  commitIndex: number,
): Processing | undefined {
  let sameEpoch: Processing | undefined;
  let anyEpoch: Processing | undefined;
  for (const p of list) {
    const before = p.endIndex !== undefined && p.endIndex < commitIndex;
    if (!before || !p.end?.ok || p.start.node !== commit.node || p.start.actor !== commit.actor) {
      continue;
    }
    anyEpoch = p;
    if (p.start.epoch === commit.epoch) sameEpoch = p;
  }
  return sameEpoch ?? anyEpoch;
}

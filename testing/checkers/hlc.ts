/**
 * G1, hybrid logical clocks, judged per node in that node's recorded order:
 * - every HLC string (send, start, clock records) is well-formed;
 * - `clock` readings strictly increase;
 * - a reading is above every stamp the node received (`start.hlc`) or issued (`send.hlc`)
 *   in records before it: a receive is merged into the clock, and stamps only go up;
 * - a stamp emitted while processing an event is above everything the node had read or
 *   received when that processing started, the event's own stamp included;
 * - no two sends of a node carry the same fresh stamp;
 * - `l - pt <= maxOffsetMs` for every `clock` record.
 *
 * Why sends are not simply required to rise in recorded order: a `send` record says whether
 * the append was accepted, so it is written when the append completes, and concurrent sends
 * complete in any order. A stamp is therefore only bounded where the order is certain: below
 * by the start of the processing that emitted it, above by the readings recorded after it.
 *
 * A replayed handling may re-send an envelope with its original stamp. Such a record is not
 * a new reading, so a send stamp counts only the first time its (event, hlc) appears on its
 * node, and not at all when the same (event, hlc) appears on several nodes (we cannot know
 * which one stamped it). A `crash` or `restart` starts the node's clock afresh.
 */

import type { History, HistoryEvent, SendRecord } from '../history.ts';
import { compareParsed, parseHlc, type ParsedHlc } from './hlc-text.ts';
import { parseCheckOptions, type CheckOptions, type Violation, type ViolationKind } from './types.ts';

interface Stamp {
  readonly hlc: ParsedHlc;
  readonly record: HistoryEvent & { readonly hlc: string };
}

interface NodeClock {
  lastClock?: Stamp;
  /** Highest stamp received (start) or issued (fresh send) so far. */
  floor?: Stamp;
  /** `floor` when each event's processing started here (the event's stamp included). */
  readonly atStart: Map<string, Stamp>;
  readonly issued: Map<string, SendRecord>;
}

const max = (a: Stamp | undefined, b: Stamp): Stamp =>
  a === undefined || compareParsed(b.hlc, a.hlc) > 0 ? b : a;

export function checkHlc(history: History, options?: CheckOptions): Violation[] {
  const { maxOffsetMs } = parseCheckOptions(options);
  const violations: Violation[] = [];
  const isFresh = freshStamps(history);
  const clocks = new Map<string, NodeClock>();

  /** `stamp` must be above `bound`; says why not when it is not. */
  const above = (stamp: Stamp, bound: Stamp | undefined, what: string): void => {
    if (bound === undefined || compareParsed(stamp.hlc, bound.hlc) > 0) return;
    const r = stamp.record;
    const b = bound.record;
    const [kind, source]: [ViolationKind, string] =
      b.kind === 'start'
        ? ['hlc-receive', `the stamp of '${b.event}' it received`]
        : b.kind === 'send'
          ? ['hlc-not-increasing', `the stamp of '${b.event}' it issued`]
          : ['hlc-not-increasing', 'its earlier reading'];
    violations.push({
      checker: 'hlc',
      kind,
      message: `${what} on ${r.node} is ${r.hlc}, not above ${source} ${b.hlc}`,
      events: [b, r],
    });
  };

  for (const r of history) {
    if (r.kind === 'crash' || r.kind === 'restart') {
      clocks.delete(r.node);
      continue;
    }
    if (r.kind !== 'send' && r.kind !== 'start' && r.kind !== 'clock') continue;
    const hlc = parseHlc(r.hlc);
    if (hlc === undefined) {
      violations.push({
        checker: 'hlc',
        kind: 'hlc-malformed',
        message: `${r.kind} on ${r.node} carries malformed hlc ${JSON.stringify(r.hlc)}`,
        events: [r],
      });
      continue;
    }
    let clock = clocks.get(r.node);
    if (clock === undefined) clocks.set(r.node, (clock = { atStart: new Map(), issued: new Map() }));
    const stamp: Stamp = { hlc, record: r };

    if (r.kind === 'start') {
      clock.floor = max(clock.floor, stamp);
      clock.atStart.set(r.event, max(clock.lastClock, clock.floor));
    } else if (r.kind === 'clock') {
      above(stamp, clock.lastClock, 'clock reading');
      above(stamp, clock.floor, 'clock reading');
      clock.lastClock = stamp;
      if (hlc.wall - r.physical > maxOffsetMs) {
        violations.push({
          checker: 'hlc',
          kind: 'hlc-offset',
          message:
            `clock on ${r.node} reads ${hlc.wall - r.physical} ms ahead of physical time ` +
            `(max offset ${maxOffsetMs} ms)`,
          events: [r],
        });
      }
    } else if (isFresh(r)) {
      const twin = clock.issued.get(r.hlc);
      if (twin !== undefined) {
        violations.push({
          checker: 'hlc',
          kind: 'hlc-not-increasing',
          message: `sends of '${twin.event}' and '${r.event}' on ${r.node} carry the same stamp ${r.hlc}`,
          events: [twin, r],
        });
      }
      clock.issued.set(r.hlc, r);
      if (r.causedBy !== undefined) above(stamp, clock.atStart.get(r.causedBy), `send of '${r.event}'`);
      clock.floor = max(clock.floor, stamp);
    }
  }
  return violations;
}

/** Decides which send records are fresh stamps of their node's clock (see module doc). */
function freshStamps(history: History): (r: SendRecord) => boolean {
  const nodesOf = new Map<string, Set<string>>();
  for (const r of history) {
    if (r.kind !== 'send') continue;
    const key = `${r.event}\0${r.hlc}`;
    const nodes = nodesOf.get(key);
    if (nodes === undefined) nodesOf.set(key, new Set([r.node]));
    else nodes.add(r.node);
  }
  const seen = new Set<string>();
  return (r) => {
    const key = `${r.event}\0${r.hlc}`;
    if (nodesOf.get(key)!.size > 1 || seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}

/**
 * G4, causal delivery per actor: if e1 happened before e2 and both target R, then R
 * effectively processes e1 first and `hlc(e1) < hlc(e2)`. "Happened before" is the order of
 * the graph in `causal-graph.ts` (turns and client sends as steps, a turn's sends between it
 * and the actor's next turn, each send before its processing).
 *
 * One pass over the steps in a topological order, with a vector clock per process: one
 * component per process, ticked once per step. A send carries the clock of the step that
 * emitted it. No pair of events is ever compared.
 *
 * Order. Let R process e1..en in that order; e is sent by step u(e), the t(e)-th step of
 * process P(e). A violation is i < j with send(ej) -> send(ei). A send's only successors are
 * its own processing and its process's next step, so
 *   send(ej) -> send(ei)  iff  p(ej) precedes u(ei)  or  VC(u(ei))[P(ej)] > t(ej).
 * The first is impossible without a cycle (u(ei) -> p(ei) -> ... -> p(ej) in R's order), and
 * cycles are reported separately. So R keeps M = max of VC(u(ei)) over the events it has
 * processed, and ej breaks the order iff M[P(ej)] > t(ej): every earlier ei is checked at
 * once, for the cost of one vector clock merge per processing. M is R's own vector clock
 * with its own steps counted apart (M[R] only reflects self-sends R has processed). Sends of
 * the same step have equal t and rightly come out unordered.
 *
 * Cost: O(steps x entries per clock); clocks are sparse sorted vectors (`max-vector.ts`).
 *
 * HLC. Each process also carries, per target actor, the highest stamp among the sends to it
 * that happened before its current step, joined along the same edges (a send passes on
 * what its step knew plus itself, not its siblings). A send to R must be above that
 * maximum, which checks it against all of its predecessors to R at once.
 *
 * Cycles (an event processed before the turn that emitted it could run) stop the sweep; the
 * cycle is reported and one of its waits is dropped so the rest is still checked.
 */

import type { History, HistoryEvent, SendRecord } from '../history.ts';
import { whereProcessed, type Effective } from './analysis.ts';
import { buildCausalGraph, type CausalGraph, type Step } from './causal-graph.ts';
import { parseHlc } from './hlc-text.ts';
import { EMPTY_VECTOR, MaxVector, type FrozenVector } from './max-vector.ts';
import type { Violation } from './types.ts';

/** Process index -> tick. */
type VectorClock = FrozenVector<Effective | undefined>;
/** Target actor index -> rank of the highest stamp among sends to it, with that send. */
type Stamps = FrozenVector<SendRecord>;

/** What a sent event carries to its receiver: its sender's knowledge at the send. */
interface Message {
  /** The emitting step's clock (own tick included), shared by the step's sends. */
  readonly vc: VectorClock;
  /** Sending process and its tick; -1 for a wait dropped to break a cycle. */
  readonly process: number;
  readonly tick: number;
  /** Stamps known before the step (shared by its sends); plus this send's own. */
  readonly stamps: Stamps;
  readonly own?: SendRecord;
}

const UNKNOWN: Message = { vc: EMPTY_VECTOR, process: -1, tick: 0, stamps: EMPTY_VECTOR };

interface ProcessState {
  /**
   * Max of the clocks of the sends it processed, with the processed event that raised each
   * component. Its own component is therefore the latest of its own steps that someone it
   * heard from had seen (self-sends); its real tick is `tick`.
   */
  readonly vc: MaxVector<Effective | undefined>;
  readonly stamps: MaxVector<SendRecord>;
  tick: number;
  next: number;
}

export function checkCausal(history: History): Violation[] {
  return sweep(buildCausalGraph(history));
}

function sweep(graph: CausalGraph): Violation[] {
  const { processes, emitter, sends } = graph;
  const violations: Violation[] = [];
  const states: ProcessState[] = processes.map(() => ({
    vc: new MaxVector<Effective | undefined>(),
    stamps: new MaxVector<SendRecord>(),
    tick: 0,
    next: 0,
  }));
  const messages = new Map<string, Message>();
  const waiting = new Map<string, number>();
  const ready = processes.map((_, i) => i).reverse();
  const targets = new Map<string, number>();
  const target = (to: string): number => {
    let i = targets.get(to);
    if (i === undefined) targets.set(to, (i = targets.size));
    return i;
  };

  const rank = stampRanks(sends.values());
  const sendOf = (event: string): HistoryEvent[] => {
    const s = sends.get(event);
    return s ? [s] : [];
  };

  /** Before merging `m`: did an event processed earlier follow the send of `e`? */
  const checkOrder = (state: ProcessState, e: Effective, m: Message): void => {
    if (state.vc.get(m.process) <= m.tick) return;
    const earlier = state.vc.causeOf(m.process)!;
    violations.push({
      checker: 'causal',
      kind: 'causal-order',
      message:
        `'${e.actor}' processed '${earlier.event}' before '${e.event}', ` +
        `though '${e.event}' happened before '${earlier.event}'`,
      events: [
        ...sendOf(e.event),
        ...sendOf(earlier.event),
        ...whereProcessed(earlier),
        ...whereProcessed(e),
      ],
    });
  };

  const receive = (state: ProcessState, e: Effective | undefined, m: Message): void => {
    state.vc.join(m.vc, e);
    state.stamps.join(m.stamps);
    if (m.own !== undefined) state.stamps.raise(target(m.own.to), rank.get(m.own.hlc)!, m.own);
  };

  /** Checks the sends of one step against what the step knew, then learns them. */
  const emit = (p: number, state: ProcessState, emits: readonly SendRecord[]): void => {
    const vc = state.vc.snapshotWith(p, state.tick);
    const known = state.stamps.snapshot();
    const raised: SendRecord[] = [];
    for (const send of emits) {
      const stamped = rank.get(send.hlc);
      const to = target(send.to);
      const before = state.stamps.causeOf(to);
      if (stamped !== undefined && before !== undefined && state.stamps.get(to) >= stamped) {
        violations.push({
          checker: 'causal',
          kind: 'causal-hlc',
          message:
            `'${before.event}' happened before '${send.event}' (both to '${send.to}') ` +
            `but its hlc ${before.hlc} is not below ${send.hlc}`,
          events: [before, send],
        });
      }
      const own = stamped !== undefined ? { own: send } : {};
      messages.set(send.event, { vc, process: p, tick: state.tick, stamps: known, ...own });
      if (stamped !== undefined) raised.push(send);
      const waiter = waiting.get(send.event);
      if (waiter !== undefined) {
        waiting.delete(send.event);
        ready.push(waiter);
      }
    }
    // Only now: sends of one step are concurrent, so they are not checked against each other.
    for (const send of raised) state.stamps.raise(target(send.to), rank.get(send.hlc)!, send);
  };

  const runStep = (p: number, step: Step, message: Message | undefined): void => {
    const state = states[p]!;
    if (message !== undefined && message.process >= 0) {
      if (step.consumes !== undefined) checkOrder(state, step.consumes, message);
      receive(state, step.consumes, message);
    }
    state.tick++;
    if (step.emits.length > 0) emit(p, state, step.emits);
  };

  const advance = (p: number): void => {
    const state = states[p]!;
    const steps = processes[p]!.steps;
    while (state.next < steps.length) {
      const step = steps[state.next]!;
      const event = step.consumes?.event;
      let message: Message | undefined;
      if (event !== undefined && emitter.has(event)) {
        message = messages.get(event);
        if (message === undefined) {
          waiting.set(event, p);
          return;
        }
        messages.delete(event); // consumed once; frees the clocks it holds
      }
      runStep(p, step, message);
      state.next++;
    }
  };

  for (;;) {
    while (ready.length > 0) advance(ready.pop()!);
    const stuck = states.findIndex((s, i) => s.next < processes[i]!.steps.length);
    if (stuck < 0) break;
    const cycle = findCycle(graph, states, stuck);
    violations.push({
      checker: 'causal',
      kind: 'causal-cycle',
      message:
        `causal cycle: ${cycle.map((e) => `'${e.event}' at '${e.actor}'`).join(', ')} ` +
        `each processed before the turn that emitted it could run`,
      events: cycle.flatMap((e) => [...sendOf(e.event), ...whereProcessed(e)]),
    });
    const dropped = cycle[0]!;
    messages.set(dropped.event, UNKNOWN);
    const waiter = waiting.get(dropped.event)!;
    waiting.delete(dropped.event);
    ready.push(waiter);
  }
  return violations;
}

/**
 * Ranks of the well-formed stamps (1 = lowest; equal stamps, equal rank), so that stamps
 * travel as integers. Well-formed encoded HLCs compare as strings exactly as (wall, logical,
 * node): fixed-width lowercase hex first, then the node id.
 */
function stampRanks(sends: Iterable<SendRecord>): Map<string, number> {
  const stamps = new Set<string>();
  for (const s of sends) if (parseHlc(s.hlc) !== undefined) stamps.add(s.hlc);
  const sorted = [...stamps].sort();
  return new Map(sorted.map((hlc, i) => [hlc, i + 1]));
}

/**
 * Every unfinished process waits for an event whose emitting step lies in another unfinished
 * actor process (senders never wait), so following the waits from `start` must loop.
 */
function findCycle(graph: CausalGraph, states: readonly ProcessState[], start: number): Effective[] {
  const chain: Effective[] = [];
  const seen = new Map<number, number>();
  let p = start;
  while (!seen.has(p)) {
    seen.set(p, chain.length);
    const e = graph.processes[p]!.steps[states[p]!.next]!.consumes!;
    chain.push(e);
    p = graph.emitter.get(e.event)!.process;
  }
  return chain.slice(seen.get(p));
}

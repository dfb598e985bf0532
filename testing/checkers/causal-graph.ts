/**
 * The happened-before graph of a history, as sequential processes made of steps.
 *
 * Processes:
 * - an actor: its steps are its effective processings (turns) in processing order. The
 *   sends a turn emits (accepted sends with `causedBy` = the turn's event) happen after the
 *   turn starts and before the actor's next turn, and concurrently with each other: a turn's
 *   effects are applied together when it ends, so what follows one of its sends (say, at
 *   the receiver) does not follow its siblings. (FIFO still orders those of one (from, to)
 *   by `seq`.)
 * - a sender outside any turn (a client, `causedBy` absent), one per (from, node): every
 *   send is a step, in stamping (HLC) order, which is issue order on one node even when
 *   concurrent sends are recorded in completion order.
 * - a send whose `causedBy` has no effective processing: a step of its own, ordered with
 *   nothing but its receiver (we cannot know which execution emitted it).
 *
 * Edges: step -> its sends -> the process's next step, and send -> the step that processes
 * it. Nodes do not order processes: two actors on one node are concurrent, which is what G4
 * promises about (actors and senders, not machines).
 */

import type { History, SendRecord } from '../history.ts';
import { analyze, compareKeys, type Effective } from './analysis.ts';
import { compareHlcText, parseHlc } from './hlc-text.ts';

export interface Step {
  readonly process: number;
  /** The event this turn processes (actor processes only). */
  readonly consumes?: Effective;
  /** Accepted sends this step emits (first accepted record of each id). */
  readonly emits: SendRecord[];
}

export interface Process {
  /** `actor:<key>`, `sender:<from>@<node>` or `orphan:<event>`. */
  readonly name: string;
  readonly steps: Step[];
}

export interface CausalGraph {
  readonly processes: readonly Process[];
  /** The step emitting each accepted event. */
  readonly emitter: ReadonlyMap<string, Step>;
  /** First accepted send of each event (the one the graph uses). */
  readonly sends: ReadonlyMap<string, SendRecord>;
}

export function buildCausalGraph(history: History): CausalGraph {
  const { sends, effective } = analyze(history);
  const processes: Process[] = [];
  const add = (name: string): Process => {
    const p: Process = { name, steps: [] };
    processes.push(p);
    return p;
  };

  const byActor = new Map<string, Effective[]>();
  for (const e of effective.values()) {
    const list = byActor.get(e.actor);
    if (list === undefined) byActor.set(e.actor, [e]);
    else list.push(e);
  }
  const turnOf = new Map<string, Step>();
  for (const [actor, list] of byActor) {
    list.sort((a, b) => compareKeys(a.key, b.key));
    const p = add(`actor:${actor}`);
    const id = processes.length - 1;
    for (const e of list) {
      const step: Step = { process: id, consumes: e, emits: [] };
      p.steps.push(step);
      turnOf.set(e.event, step);
    }
  }

  const emitter = new Map<string, Step>();
  const senders = new Map<string, { index: number; send: SendRecord }[]>();
  let index = 0;
  for (const send of sends.values()) {
    index++;
    if (send.causedBy === undefined) {
      const name = `sender:${send.from}@${send.node}`;
      const list = senders.get(name);
      if (list === undefined) senders.set(name, [{ index, send }]);
      else list.push({ index, send });
      continue;
    }
    const turn = turnOf.get(send.causedBy);
    if (turn !== undefined) {
      turn.emits.push(send);
      emitter.set(send.event, turn);
    } else {
      const step: Step = { process: processes.length, emits: [send] };
      add(`orphan:${send.event}`).steps.push(step);
      emitter.set(send.event, step);
    }
  }
  for (const [name, list] of senders) {
    // Stamping order when every stamp parses; recorded order otherwise (the HLC checker
    // reports the bad stamp, and a comparator mixing both would not be consistent).
    const stamped = list.every(({ send }) => parseHlc(send.hlc) !== undefined);
    list.sort((a, b) => (stamped && compareHlcText(a.send.hlc, b.send.hlc)) || a.index - b.index);
    const p = add(name);
    for (const { send } of list) {
      const step: Step = { process: processes.length - 1, emits: [send] };
      p.steps.push(step);
      emitter.set(send.event, step);
    }
  }
  return { processes, emitter, sends };
}

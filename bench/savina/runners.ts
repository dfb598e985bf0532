/**
 * Runs one Savina workload once, either on a one-node Causeway (memory transport, the
 * machines as `defineActor` types, completion seen on the node's bus) or on bare XState
 * actors in this process. Each returns processed events per second.
 */
import type { AnyStateMachine } from 'xstate';
import { createNode, defineActor, type EventObject } from '../../index.ts';
import { pipelined, signal, within } from '../harness.ts';
import { BareSystem, causewayPost } from './post.ts';
import type { Workload } from './workload.ts';

/** How long one run may take before it counts as hung. */
const RUN_TIMEOUT_MS = 120_000;

export async function runCauseway(w: Workload): Promise<number> {
  const actors = Object.entries(w.machines(causewayPost)).map(([type, machine]) => defineActor(type, machine as AnyStateMachine));
  const node = await createNode({ actors, nodeId: 'savina', idleMs: 600_000 });
  try {
    let seen = 0;
    const sinkEvents: EventObject[] = [];
    const finished = signal();
    (node.bus.subscribe as (pattern: string, handler: (e: { event: EventObject }) => void) => unknown)(w.done.topic, (e) => {
      if (w.done.topic.startsWith('sink.')) sinkEvents.push(e.event);
      if (++seen === w.done.count) finished.resolve();
    });
    const t0 = performance.now();
    await pipelined(w.kicks.length, 1000, (i) => node.send(w.kicks[i]!.to, w.kicks[i]!.event));
    await within(`causeway ${w.name}: ${seen}/${w.done.count} done`, RUN_TIMEOUT_MS, finished.promise);
    const seconds = (performance.now() - t0) / 1000;
    w.check?.(sinkEvents);
    return w.messages / seconds;
  } finally {
    await node.stop();
  }
}

export async function runBare(w: Workload): Promise<number> {
  const system = new BareSystem();
  for (const [type, machine] of Object.entries(w.machines(system.post))) system.register(type, machine);
  try {
    const t0 = performance.now();
    for (const k of w.kicks) system.deliver(k.to, k.event);
    const seconds = (performance.now() - t0) / 1000;
    if (system.errors.length > 0) throw new Error(`bare ${w.name}: an actor failed: ${String(system.errors[0])}`);
    if (system.count(w.done.topic) !== w.done.count) {
      throw new Error(`bare ${w.name}: ${system.count(w.done.topic)}/${w.done.count} '${w.done.topic}' events`);
    }
    w.check?.(system.received);
    return w.messages / seconds;
  } finally {
    system.stop();
  }
}

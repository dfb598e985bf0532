/**
 * Causeway's public surface. User code imports from here (and `causeway/testing` for the
 * test kit); nothing else is public.
 */
import type { AnyStateMachine, EventFromLogic } from 'xstate';
import type { ActorDefinition } from './actors/index.ts';
import { createBus } from './runtime/bus.ts';
import type { Bus } from './runtime/bus-types.ts';
import {
  createNode as createRuntimeNode,
  type CausewayNode,
  type EventObject,
  type NodeOptions,
  type ProcessedEvent,
  type Transport,
} from './runtime/index.ts';
import { memoryTransport } from './transport/memory/index.ts';

export * from './actors/index.ts';
export * from './runtime/index.ts';
export type { Bus, BusIterator, Subscription } from './runtime/bus-types.ts';
export { createBus } from './runtime/bus.ts';
export { memoryTransport } from './transport/memory/index.ts';
export { natsTransport } from './transport/nats/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = ActorDefinition<string, any>;

type TopicEntry<D> =
  D extends ActorDefinition<infer N, infer M extends AnyStateMachine>
    ? EventFromLogic<M> extends infer E
      ? E extends EventObject
        ? [`${N}.${E['type']}`, ProcessedEvent<E>]
        : never
      : never
    : never;

/** Topics of a node's bus: `<actorType>.<eventType>` → the processed event. */
export type BusTopics<A extends readonly AnyDefinition[]> = { [T in TopicEntry<A[number]> as T[0]]: T[1] };

export interface CreateNodeOptions<A extends readonly AnyDefinition[]> extends Omit<NodeOptions, 'behaviors' | 'transport'> {
  /** Actor types this node hosts and may address. */
  readonly actors: A;
  /** Default: `memoryTransport()`, a single in-process node. */
  readonly transport?: Transport;
}

export interface Node<A extends readonly AnyDefinition[]> extends CausewayNode {
  /** Every event processed on this node, under `<actorType>.<eventType>`. */
  readonly bus: Bus<BusTopics<A>>;
}

/** Starts a node hosting `actors`. See DESIGN §4. */
export async function createNode<const A extends readonly AnyDefinition[]>(options: CreateNodeOptions<A>): Promise<Node<A>> {
  const { actors, transport, ...rest } = options;
  const bus = createBus<BusTopics<A>>();
  const node = await createRuntimeNode(
    // A fresh in-process transport has no earlier incarnation whose stamps to wait out.
    { ...(transport ? {} : { hlcStartupWaitMs: 0 }), ...rest, behaviors: actors, transport: transport ?? memoryTransport() },
    {
      onProcessed: (e) => {
        if (bus.size > 0) (bus.publish as (topic: string, payload: unknown) => number)(`${e.to.type}.${e.event.type}`, e);
      },
    },
  );
  const stop = node.stop.bind(node);
  return Object.assign(node, {
    bus,
    async stop() {
      await stop();
      bus.close();
    },
  });
}

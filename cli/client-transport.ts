/**
 * A send-only view of a transport: the session's log, wire, store and dead letters as they
 * are, but an ownership that never takes a partition. A node on it sends, asks and lists
 * dead letters without joining the membership, so it never hosts actors and its arrival or
 * departure moves no partition. The demo drives its workload through one, and `causeway dlq`
 * replays through one.
 *
 * `natsTransport` has no option for this (every connected node joins and takes its share),
 * so it is done here by composition over the public `Transport` interface.
 */
import type { Behavior, Ownership, Transport } from '../index.ts';

const NO_OWNERSHIP: Ownership = {
  async start() {},
  async stop() {},
};

export function clientOnly(inner: Transport): Transport {
  return {
    kind: `${inner.kind}-client`,
    async connect(node) {
      const session = await inner.connect(node);
      return {
        partitions: session.partitions,
        log: session.log,
        state: session.state,
        deadLetters: session.deadLetters,
        wire: session.wire,
        ownership: NO_OWNERSHIP,
        close: () => session.close(),
      };
    },
  };
}

/**
 * Stand-in behaviors for actor types known by name only (`causeway dlq` replaying to types
 * whose module it was not given): they accept every event type, so the receiving node is the
 * one to check it, and a client-only node never activates them.
 */
export function namedTypes(types: Iterable<string>): Behavior[] {
  return [...new Set(types)].map((type) => ({
    type,
    accepts: () => true,
    activate: () => {
      throw new Error(`actor type '${type}' is only known by name here`);
    },
  }));
}

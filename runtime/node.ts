/**
 * `createNode()`: wires clock, HLC, router, partitions and the transport into one node.
 * The node hosts the partitions its transport's ownership hands it; client sends from user
 * code and events emitted by actors both leave through the router.
 */
import { randomBytes } from 'node:crypto';
import { systemClock } from './clock.ts';
import { encodeEnvelope, encodeValue } from './codec.ts';
import { CausewayError, NodeStoppedError } from './errors.ts';
import { decodeHlc, encodeHlc, HybridClock } from './hlc.ts';
import type { InspectionEvent, Inspector } from './inspection.ts';
import { createLatencyRecorder, initLatency } from './latency.ts';
import { AskRegistry } from './ask.ts';
import { MetricsCounters, parseMetricsOptions, startNodeMetrics } from './metrics.ts';
import type { NodeGauges } from './metrics-report.ts';
import type { ActorRef, ActorStateAt, AskOptions, CausewayNode, NodeStats, ProcessedEvent, SendReceipt } from './node-types.ts';
import { resolveNodeOptions, type NodeOptions } from './options.ts';
import { Partition } from './partition.ts';
import type { PartitionContext } from './partition-context.ts';
import { addressKey } from './placement.ts';
import { stateAt } from './replay.ts';
import { Router, TIMER_SENDER, timerId } from './router.ts';
import { SendWindow } from './send-window.ts';
import { realTimers } from './timers.ts';
import type { Address, Envelope, EventObject } from './types.ts';

let incarnations = 0;

export interface CreateNodeHooks {
  /** Called for every event processed on this node (the root wires the local bus here). */
  readonly onProcessed?: (event: ProcessedEvent) => void;
}

export async function createNode(options: NodeOptions, hooks: CreateNodeHooks = {}): Promise<CausewayNode> {
  const o = resolveNodeOptions(options, {
    clock: systemClock,
    timers: realTimers,
    nodeId: () => `node-${randomBytes(4).toString('hex')}`,
  });
  const { nodeId, clock, timers } = o;
  const metricsOptions = parseMetricsOptions(options);
  const hlc = new HybridClock(nodeId, clock, { maxOffsetMs: o.maxOffsetMs });
  await waitOut(clock, timers, clock.now() + o.hlcStartupWaitMs);
  await initLatency();
  const latency = createLatencyRecorder({ clock });
  // Plain increments on the hot path; the metrics reporter reads them once per interval.
  const counters = new MetricsCounters();
  const observers = new Set<Inspector>();
  if (o.inspect) observers.add(o.inspect);
  const inspect: Inspector | undefined = (e: InspectionEvent) => {
    for (const observer of observers) observer(e);
  };
  const behaviors = new Map(o.behaviors.map((b) => [b.type, b]));
  const session = await o.transport.connect({ nodeId, clock, timers });
  const router = new Router({
    nodeId,
    clock,
    hlc,
    log: session.log,
    partitions: session.partitions,
    behaviors,
    maxPayloadBytes: o.maxPayloadBytes,
    latency,
    get inspect() {
      return observers.size > 0 ? inspect : undefined;
    },
  });
  const incarnation = `${clock.now().toString(36)}${(++incarnations).toString(36)}`;
  const clientFrom = `client/${nodeId}/${incarnation}`;
  const clientSeq = new Map<string, number>();
  let sendCounter = 0;
  const window = new SendWindow(o.maxPendingSends);
  const asks = new AskRegistry(session.wire, nodeId, incarnation, timers);
  const partitions = new Map<number, Partition>();
  let stopped = false;

  const ctx: PartitionContext = {
    nodeId,
    options: o,
    clock,
    timers,
    session,
    get inspect() {
      return observers.size > 0 ? inspect : undefined;
    },
    inbound: (d) => router.inbound(d),
    hlcNow: () => encodeHlc(hlc.peek()),
    hlcObserve(stamp) {
      try {
        hlc.receive(decodeHlc(stamp));
      } catch {
        // A record stamped far ahead of this clock: the next receive will say so loudly.
      }
    },
    async emit(from, e, cause, alive) {
      const req = { to: e.to, event: e.event, from: addressKey(from), seq: e.seq, id: e.id, causedBy: cause.id, ...(e.replyTo ? { replyTo: e.replyTo } : {}) };
      for (let attempt = 0; alive(); attempt++) {
        try {
          await router.route(req);
          counters.sent(e.to.type);
          return;
        } catch (err) {
          if (err instanceof CausewayError && err.code !== 'NOT_ACCEPTED') {
            // The actor emitted something no log can take (unknown type, rejected, oversize).
            const envelope = { id: e.id, type: e.event.type, to: e.to, from: req.from, seq: e.seq, hlc: cause.hlc, causedBy: cause.id, payload: e.event, timings: { sent: clock.micros() } } as Envelope;
            await ctx.deadLetter({ reason: reasonOf(err.code), error: `${err.code}: ${err.message}`, partition: -1, seq: 0, envelope, data: safeEncode(envelope) });
            return;
          }
          await new Promise<void>((resolve) => timers.setTimer(Math.min(50 * 2 ** attempt, 2000), resolve));
        }
      }
    },
    async fireTimer(to, timer) {
      const id = timerId(addressKey(to), timer.key, timer.dueAt);
      const causedBy = timer.scheduledBy !== undefined ? { causedBy: timer.scheduledBy } : {};
      await router.route({ to, event: timer.event, from: `${TIMER_SENDER}/${id}`, seq: 1, id, ...causedBy, internal: true });
      counters.sent(to.type);
    },
    async deadLetter(letter) {
      await session.deadLetters.put({ ...letter, node: nodeId, at: clock.now() });
      counters.deadLetter(letter.envelope?.to.type);
      ctx.inspect?.({ kind: 'dead', node: nodeId, at: clock.now(), event: letter.envelope?.id ?? `${letter.partition}:${letter.seq}`, reason: letter.reason });
    },
    reply: (replyTo, reply) => session.wire.publish(replyTo, encodeValue(reply)),
    processed(envelope, delivery) {
      const t = envelope.timings;
      const type = envelope.to.type;
      counters.processed(type);
      if (t.accepted !== undefined && t.delivered !== undefined) latency.record('accepted->delivered', type, t.delivered - t.accepted);
      if (t.delivered !== undefined && t.started !== undefined) latency.record('delivered->started', type, t.started - t.delivered);
      if (t.started !== undefined && t.processed !== undefined) latency.record('processing', type, t.processed - t.started);
      if (t.processed !== undefined) latency.record('send->processed', type, t.processed - t.sent);
      void delivery;
      hooks.onProcessed?.({ id: envelope.id, to: envelope.to, from: envelope.from, event: envelope.payload, hlc: envelope.hlc });
    },
  };

  await session.ownership.start({
    async acquire(p, epoch) {
      partitions.get(p)?.lose();
      const partition = new Partition(p, epoch, ctx);
      partitions.set(p, partition);
      await partition.start();
    },
    async release(p) {
      const partition = partitions.get(p);
      if (partition === undefined) return;
      await partition.drain();
      if (partitions.get(p) === partition) partitions.delete(p);
    },
    lost(p) {
      partitions.get(p)?.lose();
      partitions.delete(p);
    },
  });

  async function send(to: Address, event: EventObject, replyTo?: string): Promise<SendReceipt> {
    if (stopped) throw new NodeStoppedError(nodeId);
    router.validate(to, event);
    // Numbered in call order, before any wait: the seq order is the caller's order.
    const key = addressKey(to);
    const seq = (clientSeq.get(key) ?? 0) + 1;
    clientSeq.set(key, seq);
    const id = `${nodeId}.${incarnation}.${(++sendCounter).toString(36)}`;
    await window.acquire();
    try {
      const ack = await router.route({ to, event, from: clientFrom, seq, id, ...(replyTo ? { replyTo } : {}) });
      counters.sent(to.type);
      return { id, partition: ack.partition, seq: ack.seq, duplicate: ack.duplicate };
    } finally {
      window.release();
    }
  }

  function gauges(): NodeGauges {
    let activeActors = 0;
    let mailboxDepth = 0;
    for (const p of partitions.values()) {
      activeActors += p.activeActors;
      mailboxDepth += p.mailboxDepth;
    }
    return { partitions: [...partitions.keys()].sort((a, b) => a - b), activeActors, mailboxDepth, pendingSends: window.inFlight };
  }

  const node: CausewayNode = {
    id: nodeId,
    send: (ref, event) => send(ref, event),
    async ask<E extends EventObject>(ref: ActorRef<E>, event: E, opts?: AskOptions): Promise<unknown> {
      const timeoutMs = opts?.timeoutMs ?? o.askTimeoutMs;
      const pending = asks.open(addressKey(ref), timeoutMs);
      try {
        await send(ref, event, pending.inbox);
      } catch (err) {
        pending.cancel();
        throw err;
      }
      return pending.reply;
    },
    latency,
    inspect(observer) {
      observers.add(observer);
      return () => observers.delete(observer);
    },
    deadLetters: () => session.deadLetters.list(),
    stateAt<E extends EventObject, V>(ref: ActorRef<E, V>, at: Parameters<CausewayNode['stateAt']>[1], opts?: Parameters<CausewayNode['stateAt']>[2]) {
      const deps = { nodeId, transportKind: o.transport.kind, session, behaviors, maxAttempts: o.maxAttempts, stopped: () => stopped };
      return stateAt(deps, ref, at, opts) as Promise<ActorStateAt<V>>;
    },
    stats: (): NodeStats => ({ nodeId, ...gauges() }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await window.drain();
      await session.ownership.stop();
      for (const p of partitions.values()) await p.drain();
      partitions.clear();
      asks.close();
      await metrics?.stop(); // the final report needs the wire: before the session closes
      await session.close();
      latency.destroy();
    },
  };
  let metrics: { stop(): Promise<void> } | undefined;
  try {
    metrics = await startNodeMetrics({ nodeId, clock, latency, counters, gauges }, session.wire, timers, metricsOptions);
  } catch (error) {
    await node.stop(); // e.g. the metrics port is taken: fail loudly, leave nothing running
    throw error;
  }
  return node;
}

function reasonOf(code: string) {
  if (code === 'UNKNOWN_ACTOR_TYPE') return 'unknown-actor-type' as const;
  if (code === 'OVERSIZE') return 'oversize' as const;
  return 'rejected-event' as const;
}

function safeEncode(envelope: Envelope): Uint8Array {
  try {
    return encodeEnvelope(envelope);
  } catch {
    return new Uint8Array();
  }
}

/** Waits until the physical clock passes `until` (it may jump or stall: poll). */
async function waitOut(clock: { now(): number }, timers: { setTimer(ms: number, fn: () => void): () => void }, until: number): Promise<void> {
  if (clock.now() > until) return;
  // Injected timers may be unref'd: keep the process alive while a caller awaits the start.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    while (clock.now() <= until) {
      await new Promise<void>((resolve) => timers.setTimer(Math.max(1, until - clock.now() + 1), resolve));
    }
  } finally {
    clearInterval(keepAlive);
  }
}

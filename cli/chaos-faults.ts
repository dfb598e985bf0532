/**
 * Carries out a fault plan (chaos-plan.ts) on a running cluster, one fault at a time, and
 * says what happened: when each fault hit, how long the victim was away, how long until the
 * clients' sends were accepted again (nats restart) and until every partition had exactly
 * one owner again ("healed"). The next fault waits for its due time and for the heal, so
 * each fault's effects can be told apart.
 */
import type { ChaosCluster } from './chaos-cluster.ts';
import type { Ledger } from './chaos-ledger.ts';
import { describeFault, type PlannedFault } from './chaos-plan.ts';

export interface FaultOutcome {
  readonly kind: PlannedFault['kind'];
  /** `n<i>` or `nats-server`. */
  readonly target: string;
  /** When it hit, ms after the load began. */
  readonly atMs: number;
  /** Killed/stopped to restarted/continued (nats: to the server accepting connections again), ms. */
  readonly downMs: number;
  /** Partitions the victim owned just before (kill, pause). */
  readonly partitions?: number;
  /** nats restart: the kill to the first client send accepted again, ms. */
  readonly sendsAcceptedAfterMs?: number | null;
  /** The fault to every partition owned exactly once by the running nodes again, ms; null: not within the wait. */
  readonly healedMs: number | null;
}

export interface FaultContext {
  readonly cluster: ChaosCluster;
  readonly ledger: Ledger;
  readonly partitions: number;
  /** Wall ms the load began (fault times are relative to it). */
  readonly began: number;
  readonly note: (message: string) => void;
  /** True once the run is being torn down: stop injecting. */
  readonly aborted: () => boolean;
}

const HEAL_TIMEOUT_MS = 30_000;
const POLL_MS = 100;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function runFaults(plan: readonly PlannedFault[], ctx: FaultContext): Promise<FaultOutcome[]> {
  const outcomes: FaultOutcome[] = [];
  for (const fault of plan) {
    await pause(ctx.began + fault.dueMs - Date.now());
    if (ctx.aborted()) break;
    ctx.note(`fault at +${((Date.now() - ctx.began) / 1000).toFixed(1)} s: ${describeFault(fault)}`);
    const outcome = await inject(fault, ctx);
    outcomes.push(outcome);
    const sends = outcome.sendsAcceptedAfterMs === undefined ? '' : `, sends accepted again after ${outcome.sendsAcceptedAfterMs ?? '-'} ms`;
    ctx.note(`  ${outcome.target} back after ${outcome.downMs} ms${sends}, healed after ${outcome.healedMs ?? '-'} ms`);
  }
  return outcomes;
}

async function inject(fault: PlannedFault, ctx: FaultContext): Promise<FaultOutcome> {
  const { cluster } = ctx;
  // After a fault's wait: the run may be being torn down, and nothing must come back then.
  const sleep = async (ms: number) => {
    await pause(ms);
    if (ctx.aborted()) throw new Error(`aborted during ${describeFault(fault)}`);
  };
  if (fault.kind === 'nats-restart') {
    const at = Date.now();
    await cluster.server.kill('SIGKILL');
    await sleep(fault.downMs);
    await cluster.server.restart();
    const downMs = Date.now() - at;
    const sendsAcceptedAfterMs = await acceptedAgain(ctx, at, at + downMs);
    return { kind: fault.kind, target: 'nats-server', atMs: at - ctx.began, downMs, sendsAcceptedAfterMs, healedMs: await healed(ctx, at) };
  }
  const node = cluster.nodes[fault.node]!;
  const partitions = (await node.stats().catch(() => undefined))?.stats.partitions.length;
  const owned = partitions === undefined ? {} : { partitions };
  if (fault.kind === 'kill') {
    const at = await cluster.kill(fault.node);
    await sleep(fault.downMs);
    await cluster.startNode(fault.node);
    return { kind: fault.kind, target: node.nodeId, atMs: at - ctx.began, downMs: Date.now() - at, ...owned, healedMs: await healed(ctx, at) };
  }
  const at = Date.now();
  await node.kill('SIGSTOP');
  await sleep(fault.downMs);
  await node.kill('SIGCONT');
  return { kind: fault.kind, target: node.nodeId, atMs: at - ctx.began, downMs: Date.now() - at, ...owned, healedMs: await healed(ctx, at) };
}

/** `from` (the kill) to the first client send accepted after `since` (the server is back), ms; null if none within the wait. */
async function acceptedAgain(ctx: FaultContext, from: number, since: number): Promise<number | null> {
  const deadline = Date.now() + HEAL_TIMEOUT_MS;
  while (ctx.ledger.lastAcceptedAt <= since && Date.now() < deadline && !ctx.aborted()) await pause(POLL_MS / 4);
  return ctx.ledger.lastAcceptedAt > since ? ctx.ledger.lastAcceptedAt - from : null;
}

/** `from` to the moment the running nodes own every partition exactly once, ms. */
async function healed(ctx: FaultContext, from: number): Promise<number | null> {
  const deadline = Date.now() + HEAL_TIMEOUT_MS;
  while (Date.now() < deadline && !ctx.aborted()) {
    const running = ctx.cluster.nodes.filter((n) => n.running);
    const owned = await Promise.all(running.map((n) => n.stats().then((s) => s.stats.partitions, () => [] as number[])));
    const all = owned.flat();
    if (all.length === ctx.partitions && new Set(all).size === ctx.partitions) return Date.now() - from;
    await pause(POLL_MS);
  }
  return null;
}

/**
 * The seeded fault plan of `causeway chaos`: which faults hit when, on which node, for how
 * long. The same seed gives the same plan (and the same workload); what the cluster does
 * under it still depends on timing, so a seed repeats a run's shape, not its history.
 *
 * Faults run one after another, never overlapping: each is finished (the node restarted,
 * resumed, the server back) before the next begins, so at most one node is away at a time
 * and the report can say which fault led to what.
 */

/** SIGKILL a node, wait `downMs`, start it again (same id, history appended). */
export interface KillFault {
  readonly kind: 'kill';
  readonly node: number;
  readonly downMs: number;
}

/** SIGSTOP a node for `downMs` (longer than its lease), then SIGCONT. */
export interface PauseFault {
  readonly kind: 'pause';
  readonly node: number;
  readonly downMs: number;
}

/** SIGKILL nats-server, wait `downMs`, start it on the same port and store dir. */
export interface NatsRestartFault {
  readonly kind: 'nats-restart';
  readonly downMs: number;
}

export type Fault = KillFault | PauseFault | NatsRestartFault;

/** A fault and when it is due, ms after the load began. */
export type PlannedFault = Fault & { readonly dueMs: number };

export interface PlanOptions {
  readonly seed: number;
  /** How long the load runs, ms. */
  readonly durationMs: number;
  readonly nodes: number;
  readonly leaseMs: number;
  /** Node kills; default one per 12 s of load (at least one). */
  readonly kills?: number;
}

/** Kills when `--kills` is not given: one per 12 s of load beyond the first 10 s, at least one. */
export function defaultKills(durationMs: number): number {
  return Math.max(1, Math.round((durationMs - 10_000) / 12_000));
}

/**
 * Shuffles the kills, one pause and one nats restart, and spreads them over 10 %..80 % of
 * the load (each in its own slot, jittered), leaving the start to warm up and the end to
 * run on a healed cluster.
 */
export function planFaults(o: PlanOptions): PlannedFault[] {
  const random = seededRandom(o.seed ^ 0x5eed);
  const between = (min: number, max: number) => Math.round(min + random() * (max - min));
  const node = () => Math.floor(random() * o.nodes);
  const faults: Fault[] = [];
  for (let i = 0; i < (o.kills ?? defaultKills(o.durationMs)); i++) {
    // Sometimes back before its lease ran out, sometimes well after the takeover.
    faults.push({ kind: 'kill', node: node(), downMs: between(0, 3 * o.leaseMs) });
  }
  // Past the lease (and the member timeout) for sure, so the others take over meanwhile.
  faults.push({ kind: 'pause', node: node(), downMs: between(2.5 * o.leaseMs, 4 * o.leaseMs) });
  faults.push({ kind: 'nats-restart', downMs: between(500, 2_500) });
  shuffle(faults, random);

  const from = 0.1 * o.durationMs;
  const slot = (0.7 * o.durationMs) / faults.length;
  return faults.map((f, i) => ({ ...f, dueMs: Math.round(from + i * slot + random() * 0.3 * slot) }));
}

/** A one-line description of a fault, for progress notes. */
export function describeFault(f: Fault): string {
  if (f.kind === 'nats-restart') return `nats-server SIGKILL, restart after ${f.downMs} ms`;
  if (f.kind === 'kill') return `n${f.node + 1} SIGKILL, restart after ${f.downMs} ms`;
  return `n${f.node + 1} SIGSTOP for ${f.downMs} ms, then SIGCONT`;
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** mulberry32: small, fast, seeded; enough for workloads and plans. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A node's metrics: counters the hot path bumps (one map lookup and an increment, nothing
 * more), and the reporter that publishes a `NodeMetrics` report on the wire every
 * `metricsIntervalMs`, where `causeway stats` and `causeway dashboard` listen. The reporter
 * runs on the node's injected timers, so a simulated node reports in virtual time.
 */
import { InvalidOptionError } from './errors.ts';
import type { LatencyRecorder } from './latency.ts';
import { startMetricsServer } from './metrics-http.ts';
import {
  UNKNOWN_ACTOR_TYPE,
  encodeNodeMetrics,
  metricsSubject,
  type ActorTypeCounters,
  type MetricsSnapshot,
  type NodeGauges,
  type NodeMetrics,
} from './metrics-report.ts';
import { toPrometheus } from './prometheus.ts';
import type { Clock, Timers, Wire } from './types.ts';

export const DEFAULT_METRICS_INTERVAL_MS = 1_000;
export const DEFAULT_METRICS_HOST = '127.0.0.1';

export interface MetricsOptions {
  /**
   * Period of the metrics reports a node publishes on the wire, ms; `0` turns them off.
   * Default {@link DEFAULT_METRICS_INTERVAL_MS}. A simulation that runs "until idle" must
   * pass 0: a periodic timer never lets it be idle.
   */
  readonly metricsIntervalMs?: number;
  /** Serves Prometheus text at `http://<metricsHost>:<metricsPort>/metrics`. Default: off. */
  readonly metricsPort?: number;
  /** Interface the metrics port binds. Default {@link DEFAULT_METRICS_HOST} (this host only). */
  readonly metricsHost?: string;
}

export interface ResolvedMetricsOptions {
  readonly intervalMs: number;
  readonly port: number | undefined;
  readonly host: string;
}

export function parseMetricsOptions(options: MetricsOptions): ResolvedMetricsOptions {
  const intervalMs = options.metricsIntervalMs ?? DEFAULT_METRICS_INTERVAL_MS;
  if (!Number.isInteger(intervalMs) || intervalMs < 0) {
    throw new InvalidOptionError('metricsIntervalMs', `expected an integer >= 0 (0 = off), got ${intervalMs}`);
  }
  const port = options.metricsPort;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new InvalidOptionError('metricsPort', `expected a port from 0 to 65535, got ${port}`);
  }
  const host = options.metricsHost ?? DEFAULT_METRICS_HOST;
  if (typeof host !== 'string' || host === '') throw new InvalidOptionError('metricsHost', 'expected a host name or address');
  return { intervalMs, port, host };
}

/** Per actor type counts since the node started. */
export class MetricsCounters {
  private readonly byType = new Map<string, ActorTypeCounters>();

  processed(actorType: string): void {
    this.of(actorType).processed++;
  }

  sent(actorType: string): void {
    this.of(actorType).sent++;
  }

  /** `actorType` is unknown when the dead letter's envelope could not be decoded. */
  deadLetter(actorType: string | undefined): void {
    this.of(actorType ?? UNKNOWN_ACTOR_TYPE).deadLetters++;
  }

  /** A copy: the caller may keep it while counting goes on. */
  totals(): Record<string, ActorTypeCounters> {
    const out: Record<string, ActorTypeCounters> = {};
    for (const [type, c] of this.byType) out[type] = { ...c };
    return out;
  }

  private of(actorType: string): ActorTypeCounters {
    let c = this.byType.get(actorType);
    if (c === undefined) {
      c = { processed: 0, sent: 0, deadLetters: 0 };
      this.byType.set(actorType, c);
    }
    return c;
  }
}

/** What the reporter and a scrape read from the node. */
export interface MetricsSource {
  readonly nodeId: string;
  readonly clock: Pick<Clock, 'now'>;
  readonly latency: Pick<LatencyRecorder, 'intervalHistograms' | 'snapshot'>;
  readonly counters: MetricsCounters;
  gauges(): NodeGauges;
}

/** Cumulative state for a scrape. Reads percentiles only; interval histograms are left alone. */
export function metricsSnapshot(source: MetricsSource): MetricsSnapshot {
  return { nodeId: source.nodeId, ...source.gauges(), totals: source.counters.totals(), latency: source.latency.snapshot().stages };
}

export interface MetricsReporter {
  /** Builds and publishes the report of the interval since the previous one. */
  report(final?: boolean): NodeMetrics;
  /** Cancels the timer and publishes a last report marked `final`. Idempotent. */
  stop(): void;
}

/** Publishes a report every `intervalMs` (> 0) on `wire`, until `stop()`. */
export function startMetricsReporter(source: MetricsSource, wire: Wire, timers: Timers, intervalMs: number): MetricsReporter {
  const subject = metricsSubject(source.nodeId);
  let seq = 0;
  let last: Record<string, ActorTypeCounters> = {};
  let lastTime = source.clock.now();
  let stopped = false;
  let cancel = timers.setTimer(intervalMs, tick);

  function tick(): void {
    if (stopped) return;
    try {
      report(false);
    } catch (error) {
      // A failed report must not end reporting: the next interval may well succeed.
      console.error(`causeway: metrics report of '${source.nodeId}' failed:`, error);
    }
    cancel = timers.setTimer(intervalMs, tick);
  }

  function report(final = false): NodeMetrics {
    const time = source.clock.now();
    const totals = source.counters.totals();
    const interval: Record<string, ActorTypeCounters> = {};
    let processed = 0;
    let sent = 0;
    for (const [type, t] of Object.entries(totals)) {
      const before = last[type] ?? { processed: 0, sent: 0, deadLetters: 0 };
      const d = { processed: t.processed - before.processed, sent: t.sent - before.sent, deadLetters: t.deadLetters - before.deadLetters };
      interval[type] = d;
      processed += d.processed;
      sent += d.sent;
    }
    const intervalMs = Math.max(0, time - lastTime);
    const perSec = (n: number) => (intervalMs > 0 ? (n * 1000) / intervalMs : 0);
    const metrics: NodeMetrics = {
      v: 1,
      nodeId: source.nodeId,
      seq: ++seq,
      time,
      intervalMs,
      final,
      ...source.gauges(),
      totals,
      interval,
      throughput: { processedPerSec: perSec(processed), sentPerSec: perSec(sent) },
      histograms: source.latency.intervalHistograms(),
    };
    last = totals;
    lastTime = time;
    wire.publish(subject, encodeNodeMetrics(metrics));
    return metrics;
  }

  return {
    report,
    stop() {
      if (stopped) return;
      stopped = true;
      cancel();
      try {
        report(true);
      } catch (error) {
        // The node stops regardless; readers see it vanish instead of a final report.
        console.error(`causeway: final metrics report of '${source.nodeId}' failed:`, error);
      }
    },
  };
}

/**
 * What a node starts for its metrics: the reporter (unless `intervalMs` is 0) and the
 * Prometheus endpoint (when a port is given). `stop()` publishes the final report and
 * closes the endpoint; call it while the wire is still open.
 */
export async function startNodeMetrics(
  source: MetricsSource,
  wire: Wire,
  timers: Timers,
  options: ResolvedMetricsOptions,
): Promise<{ stop(): Promise<void> }> {
  const server =
    options.port === undefined
      ? undefined
      : await startMetricsServer({ host: options.host, port: options.port, render: () => toPrometheus(metricsSnapshot(source)) });
  const reporter = options.intervalMs > 0 ? startMetricsReporter(source, wire, timers, options.intervalMs) : undefined;
  return {
    async stop() {
      reporter?.stop();
      await server?.close();
    },
  };
}

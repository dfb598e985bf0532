/**
 * `causeway stats`: listens to the metrics reports of every node of a namespace for a
 * while, then prints cluster-wide latency per stage and actor type (the nodes' interval
 * histograms added up) and counters per node and per actor type. It never joins the
 * cluster (see transport/nats/metrics-subscriber.ts). Ctrl-C ends the wait early.
 */
import { realTimers } from '../runtime/timers.ts';
import { systemClock } from '../runtime/clock.ts';
import { mergeEncoded } from '../runtime/latency-export.ts';
import { DEFAULT_NAMESPACE } from '../transport/nats/options.ts';
import { subscribeMetrics } from '../transport/nats/metrics-subscriber.ts';
import { UsageError, optionalString, parse, requiredString } from './args.ts';
import { MetricsCollector } from './metrics-collector.ts';
import { serversOf } from './nats-flags.ts';
import { renderStats, writeHgrmFiles, writeHistogramLog } from './stats-report.ts';

export const DEFAULT_DURATION = '5s';

export const USAGE = `usage: causeway stats --nats <url> [--namespace <ns>] [--duration 5s] [--hgrm <dir>] [--log <file.hlog>]

Listens to the metrics reports of every node, adds up their latency histograms, and prints
percentiles per stage and actor type (µs) and counters per node.

  --nats <url[,url]>   NATS server(s) of the cluster (required)
  --namespace <ns>     cluster namespace (default '${DEFAULT_NAMESPACE}')
  --duration <time>    how long to listen: 500ms, 5s, 2m (default ${DEFAULT_DURATION}); Ctrl-C stops early
  --hgrm <dir>         also write a .hgrm percentile distribution per stage and actor type
  --log <file.hlog>    also write every interval histogram as an HdrHistogram log (format 1.3)

Nodes report every metricsIntervalMs (default 1000 ms); a node started with 0 is not seen.`;

export async function main(args: string[]): Promise<number> {
  const p = parse(args, {
    nats: { type: 'string' },
    namespace: { type: 'string' },
    duration: { type: 'string' },
    hgrm: { type: 'string' },
    log: { type: 'string' },
  });
  const servers = serversOf(requiredString(p, 'nats'));
  const namespace = optionalString(p, 'namespace') ?? DEFAULT_NAMESPACE;
  const durationMs = parseDuration(optionalString(p, 'duration') ?? DEFAULT_DURATION);
  const hgrmDir = optionalString(p, 'hgrm');
  const logFile = optionalString(p, 'log');

  const collector = new MetricsCollector();
  const stop = new AbortController();
  const startedAt = systemClock.now();
  const stream = await subscribeMetrics({ servers, namespace, name: 'causeway:stats', signal: stop.signal });
  const cancelTimer = realTimers.setTimer(durationMs, () => stop.abort());
  const onSigint = (): void => stop.abort();
  process.once('SIGINT', onSigint);
  try {
    for await (const data of stream) collector.ingest(data, systemClock.now());
  } finally {
    cancelTimer();
    process.off('SIGINT', onSigint);
    await stream.close();
  }

  process.stdout.write(renderStats(collector, { namespace, listenedMs: systemClock.now() - startedAt }));
  if (collector.malformed > 0) console.error(`causeway stats: ${collector.malformed} malformed reports, last: ${collector.lastError}`);
  if (collector.nodes.size === 0) return 1;
  if (hgrmDir !== undefined) {
    const paths = writeHgrmFiles(hgrmDir, mergeEncoded(collector.intervals()));
    process.stdout.write(`\nwrote ${paths.length} .hgrm files to ${hgrmDir}\n`);
  }
  if (logFile !== undefined) {
    const lines = writeHistogramLog(logFile, collector.intervals(), startedAt);
    process.stdout.write(`wrote ${lines} interval histograms to ${logFile}\n`);
  }
  return 0;
}

/** `500ms`, `5s`, `1.5s`, `2m`; a bare number is seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const scale = { ms: 1, s: 1_000, m: 60_000 } as const;
  const ms = m === null ? NaN : Math.round(Number(m[1]) * scale[(m[2] ?? 's') as keyof typeof scale]);
  if (!(ms > 0)) throw new UsageError(`--duration must be like 500ms, 5s or 2m (got '${text}')`);
  return ms;
}

/**
 * A node's metrics in the Prometheus text exposition format, version 0.0.4: a pure function
 * from a `MetricsSnapshot` to text, so the format is tested without a server.
 *
 * Latency is a `summary` (quantiles in seconds, since the node started): quantiles of
 * different label sets cannot be added up by Prometheus, so the aggregate over actor types
 * is its own family (`causeway_stage_latency_seconds`) rather than an `actor_type="all"`
 * series that a `sum by` would double count.
 */
import { ALL_ACTOR_TYPES, STAGES, type LatencyStats } from './latency-stats.ts';
import type { ActorTypeCounters, MetricsSnapshot } from './metrics-report.ts';

/** The `Content-Type` of the text this module writes. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Quantiles a summary reports, with the field of `LatencyStats` that holds each. */
const QUANTILES: ReadonlyArray<readonly [string, keyof LatencyStats]> = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.99', 'p99'],
  ['0.999', 'p999'],
];

type Labels = Readonly<Record<string, string>>;
type Sample = readonly [suffix: string, labels: Labels, value: number];

interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'summary';
  readonly help: string;
  readonly samples: readonly Sample[];
}

export function toPrometheus(snapshot: MetricsSnapshot): string {
  const types = Object.keys(snapshot.totals).sort();
  const perType = (field: keyof ActorTypeCounters): Sample[] =>
    types.map((t) => ['', { actor_type: t }, snapshot.totals[t]![field]] as const);
  const families: Family[] = [
    { name: 'causeway_node_info', type: 'gauge', help: 'Always 1; labels identify the node.', samples: [['', { node_id: snapshot.nodeId }, 1]] },
    { name: 'causeway_events_processed_total', type: 'counter', help: 'Events whose turn completed on this node.', samples: perType('processed') },
    { name: 'causeway_events_sent_total', type: 'counter', help: 'Events this node appended to the log (sends, emits, timers).', samples: perType('sent') },
    { name: 'causeway_dead_letters_total', type: 'counter', help: 'Events this node dead-lettered.', samples: perType('deadLetters') },
    { name: 'causeway_partitions_owned', type: 'gauge', help: 'Partitions this node owns.', samples: [['', {}, snapshot.partitions.length]] },
    { name: 'causeway_active_actors', type: 'gauge', help: 'Actors active (not passivated) on this node.', samples: [['', {}, snapshot.activeActors]] },
    { name: 'causeway_mailbox_depth', type: 'gauge', help: 'Events waiting in the mailboxes of this node.', samples: [['', {}, snapshot.mailboxDepth]] },
    { name: 'causeway_pending_sends', type: 'gauge', help: 'Sends waiting for the log to accept them.', samples: [['', {}, snapshot.pendingSends]] },
    {
      name: 'causeway_latency_seconds',
      type: 'summary',
      help: 'Latency per stage and actor type since the node started.',
      samples: STAGES.flatMap((stage) =>
        Object.entries(snapshot.latency[stage])
          .filter(([type]) => type !== ALL_ACTOR_TYPES)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .flatMap(([type, s]) => summary({ stage, actor_type: type }, s)),
      ),
    },
    {
      name: 'causeway_stage_latency_seconds',
      type: 'summary',
      help: 'Latency per stage over all actor types since the node started.',
      samples: STAGES.flatMap((stage) => summary({ stage }, snapshot.latency[stage][ALL_ACTOR_TYPES])),
    },
  ];
  return families.map(render).join('');
}

function summary(labels: Labels, s: LatencyStats | undefined): Sample[] {
  if (s === undefined || s.count === 0) return [];
  return [
    ...QUANTILES.map(([q, field]) => ['', { ...labels, quantile: q }, s[field] / 1e6] as const),
    ['_sum', labels, (s.mean * s.count) / 1e6],
    ['_count', labels, s.count],
  ];
}

function render(f: Family): string {
  let out = `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
  for (const [suffix, labels, value] of f.samples) out += `${f.name}${suffix}${renderLabels(labels)} ${renderValue(value)}\n`;
  return out;
}

function renderLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function renderValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

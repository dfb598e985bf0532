/**
 * The in-process section of RESULTS.md: where an event's time goes (CPU profile by layer
 * and function, allocations per event against bare XState), and what to change, with
 * file:line references looked up in the current sources at render time (so they follow
 * edits; a reference whose code moved away shows the file alone).
 */
import { readFileSync } from 'node:fs';
import type { AllocationSummary, ProfileSummary, Share } from './profile.ts';
import type { ScenarioResult } from './result.ts';

const ROOT = new URL('..', import.meta.url);

/** `file:line` of the first line containing `needle`, or just `file`. */
export function at(file: string, needle: string): string {
  try {
    const i = readFileSync(new URL(file, ROOT), 'utf8').split('\n').findIndex((l) => l.includes(needle));
    return i >= 0 ? `${file}:${i + 1}` : file;
  } catch {
    return file;
  }
}

type Alloc = AllocationSummary & { bytesPerEvent: number };

/** Self-time % of the first function whose label starts with `name`, or '?'. */
function selfPercent(summary: ProfileSummary | undefined, name: string): string {
  return String(summary?.topSelf.find((s) => s.name.startsWith(name))?.percent ?? '?');
}

const LAYERS: Array<[string, (module: string) => boolean]> = [
  ['garbage collector', (m) => m === '(garbage collector)'],
  ['memory transport (transport/memory)', (m) => m.startsWith('transport/memory/')],
  ['runtime (runtime/)', (m) => m.startsWith('runtime/')],
  ['XState host (actors/)', (m) => m.startsWith('actors/')],
  ['xstate', (m) => m === 'xstate'],
  ['msgpack', (m) => m === '@msgpack/msgpack'],
];

function layers(summary: ProfileSummary, eventsRun: number): string {
  const sums = new Map<string, number>();
  for (const s of summary.byModule) {
    const layer = LAYERS.find(([, test]) => test(s.name))?.[0] ?? 'other (V8, node internals, bench driver)';
    sums.set(layer, (sums.get(layer) ?? 0) + s.ms);
  }
  const rest = summary.totalMs - [...sums.values()].reduce((a, b) => a + b, 0);
  sums.set('other (V8, node internals, bench driver)', (sums.get('other (V8, node internals, bench driver)') ?? 0) + rest);
  const lines = ['| Layer (self time) | ms | % | µs per event |', '|---|---:|---:|---:|'];
  for (const [name, msTotal] of [...sums.entries()].sort((a, b) => b[1] - a[1])) {
    lines.push(`| ${name} | ${Math.round(msTotal)} | ${((msTotal / summary.totalMs) * 100).toFixed(1)} | ${((msTotal * 1000) / eventsRun).toFixed(1)} |`);
  }
  return lines.join('\n');
}

const fnTable = (title: string, shares: readonly Share[], n: number) =>
  [`| ${title} | ms | % |`, '|---|---:|---:|', ...shares.slice(0, n).map((s) => `| \`${s.name}\` | ${s.ms} | ${s.percent} |`)].join('\n');

const allocTable = (a: Alloc, n: number) =>
  ['| Allocating function | MB | % |', '|---|---:|---:|', ...a.topSelf.slice(0, n).map((s) => `| \`${s.name}\` | ${s.mb} | ${s.percent} |`)].join('\n');

export function inProcessAnalysis(r: ScenarioResult, summary: ProfileSummary, profiledRate: number, alloc: Alloc, bare?: Alloc): string {
  const d = r.details as {
    events: number;
    direct?: { profile: ProfileSummary; eventsPerSecUnderProfiler: number; allocations: Alloc };
  };
  const events = d.events;
  const main = r.rows.find((x) => x.id === 'in-process');
  const direct = r.rows.find((x) => x.id === 'in-process/runtime-only');
  const perEvent = (s: ProfileSummary) => ((s.totalMs * 1000) / events).toFixed(0);
  const bareMicros = main ? (1e6 / main.baseline).toFixed(1) : '?';
  const out = [
    '### Where the time goes (in-process path)',
    '',
    `One more round of ${events.toLocaleString('en-US')} events ran under the V8 sampling profiler (${Math.round(profiledRate).toLocaleString('en-US')} events/s under the profiler, ${perEvent(summary)} µs of CPU per event; bare XState needs ${bareMicros} µs per \`send\`), and one under the allocation sampler. Profile: \`bench/out/in-process.cpuprofile\`.`,
    '',
    layers(summary, events),
    '',
    fnTable('Function (self time)', summary.topSelf, 15),
    '',
    fnTable('Function (inclusive time, the event\'s way)', summary.topInclusive, 22),
    '',
    `Allocation: **${Math.round(alloc.bytesPerEvent).toLocaleString('en-US')} B per event**${bare ? ` against ${Math.round(bare.bytesPerEvent).toLocaleString('en-US')} B per bare XState \`send\`` : ''}${d.direct ? `; ${Math.round(d.direct.allocations.bytesPerEvent).toLocaleString('en-US')} B on the zero-cost log` : ''}. The garbage collector takes ${summary.gcPercent} % of the CPU.`,
    '',
    allocTable(alloc, 15),
    '',
  ];
  if (d.direct && direct) {
    out.push(
      `**Runtime alone** (the diagnostic row, bench/direct-transport.ts): ${Math.round(direct.ours).toLocaleString('en-US')} events/s, ratio ${direct.ratio.toFixed(3)}; under the profiler ${perEvent(d.direct.profile)} µs of CPU per event, GC ${d.direct.profile.gcPercent} %.`,
      '',
      layers(d.direct.profile, events),
      '',
      fnTable('Function, runtime alone (inclusive)', d.direct.profile.topInclusive, 16),
      '',
    );
  }
  out.push(
    '### Reading it',
    '',
    `- **The goal (≥ 0.7 of bare \`actor.send\`) is out of reach for this path by design, not by a hot spot.** Bare XState is a synchronous in-memory call; every Causeway event is stamped, msgpack-encoded, appended to the log (also when the target is local, DESIGN §2 step 3), delivered, decoded, deduplicated, handled, snapshotted, re-encoded into the actor record and group-committed before the ack. Even on a log that costs nothing (the diagnostic row) the runtime reaches ${direct ? direct.ratio.toFixed(2) : '?'} of bare XState. Reaching 0.7 would need a path without the per-event encode → log → decode → commit, i.e. an opt-in non-durable local delivery, which DESIGN §2 does not allow today; the fixes below are worth a few ×, not 20 ×.`,
    `- **The memory transport (the simulator) takes ${main && direct ? `about ${Math.round((1 - main.ours / direct.ours) * 100)} %` : 'a large share'} of the in-process time**: ${main && direct ? `${Math.round(main.ours).toLocaleString('en-US')} → ${Math.round(direct.ours).toLocaleString('en-US')} events/s when it is replaced by a zero-cost log` : 'see the diagnostic row'}. In auto mode it still runs every operation as scheduler tasks (an append is a request task plus a reply task, a delivery a pump task plus an ack task plus a 30 s ack-wait timer in the task heap, a commit two more tasks), builds a label string for each, and copies each message three times.`,
    `- **Garbage collection is the largest single item** (${summary.gcPercent} %): ${Math.round(alloc.bytesPerEvent / 1024)} KB allocated per event${bare ? ` vs ${Math.round(bare.bytesPerEvent / 1024)} KB for bare XState` : ''}.`,
    '',
    '### Suggested fixes (in expected order of gain)',
    '',
    `1. **Memory transport, auto mode: stop simulating per event** — \`${at('transport/memory/node.ts', 'rpc<T>(label')}\` (two tasks and a closure per request), \`${at('transport/memory/consumer.ts', 'ack-wait p')}\` (an ack-wait timer inserted into and cancelled from the task heap per delivery: use one sweep per partition, as \`transport/nats/publisher.ts\` does for publishes), \`${at('transport/memory/consumer.ts', 'private pump(')}\` (one task per delivery: hand out up to \`maxAckPending\` per task), \`${at('transport/memory/log.ts', 'append p${partition}')}\` and the other \`\${…}\` task labels (build them only when \`onTask\` observers exist), \`${at('transport/memory/log.ts', 'data: data.slice()')}\` / \`${at('transport/memory/consumer.ts', 'data: m.data.slice()')}\` / \`${at('transport/memory/state-store.ts', 'data: w.data.slice()')}\` (three copies of every message and record; the runtime never mutates them). Upper bound of the gain: the diagnostic row.`,
    `2. **Snapshot once per commit, not per turn** — \`${at('runtime/actor-cell.ts', 'outcome.snapshot = activation.snapshot()')}\` calls XState's \`getPersistedSnapshot()\` after every event (${selfPercent(summary, 'getPersistedSnapshot')} % self time above, ${selfPercent(d.direct?.profile, 'getPersistedSnapshot')} % on the zero-cost log, and its copies are among the top allocations), but a group commit persists only the last one per actor: take it when the commit builds the record (\`${at('runtime/partition.ts', 'encodeRecord(')}\`) for cells with no turn in flight.`,
    `3. **Per-turn copies and closures** — \`${at('runtime/actor-cell.ts', 'const outSeq = { ...state.outSeq }')}\` and \`${at('runtime/actor-cell.ts', 'inSeq: work.timer === undefined ?')}\` copy both sequence maps on every event, and \`${at('runtime/actor-cell.ts', 'function turnContext(')}\` builds five closures plus an outcome with a \`Set\` per attempt. Copy only what changed (outSeq only when the turn emitted), reuse one context object per cell.`,
    `4. **inSeq grows without bound** — one entry per sender ever seen, and every client incarnation (each node start) is a new sender \`client/<node>/<incarnation>\` (\`${at('runtime/node.ts', 'const clientFrom =')}\`): records and the per-turn copy above grow with every restart (visible in the activation scenario's stored record size). Prune senders older than the log's dedup window when committing.`,
    `5. **Commit scans every active cell** — \`${at('runtime/partition.ts', 'const cells = [...this.cells.values()].filter((c) => c.dirty)')}\` is O(active actors in the partition) per batch; keep a \`Set\` of dirty cells filled in \`onEnd\`. It shows at scale: see the activation scenario's warm rate with 100k active actors against the in-process rate with 100.`,
    `6. **XState host bookkeeping per turn** — \`${at('actors/host.ts', 'const now = this.scheduledNow()')}\` copies \`system.getSnapshot()._scheduledEvents\` into a new Map after every event; skip it when neither the previous nor the current set has entries (the common case).`,
    `7. **Codec** — \`${at('runtime/codec.ts', 'function frame(')}\` encodes into the shared buffer and then copies into a new array one byte longer, for every envelope and record; and decoding short strings goes through msgpack's \`utf8DecodeJs\`, the largest single allocator (per-string arrays): a cached decoder for short repeated strings (types, actor ids, sender keys) would remove most of it. On the memory transport the envelope object is already in the log; decoding it again on delivery could be skipped there.`,
  );
  return out.join('\n');
}

/**
 * CPU profiles of a bench section, taken in-process through `node:inspector` (the same
 * `.cpuprofile` format as `node --cpu-prof`, but only around the part measured), and a
 * summary: where the time goes by module and by function, self and inclusive.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Profiles `fn` with the given sampling interval (µs); returns its result and the profile. */
export async function profiled<T>(fn: () => Promise<T>, intervalMicros = 200): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
    await session.post('Profiler.start');
    const result = await fn();
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

export interface Share {
  readonly name: string;
  readonly ms: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idlePercent: number;
  readonly gcPercent: number;
  /** Self time by module (file under the repo, or the library). */
  readonly byModule: Share[];
  /** Functions with the most self time. */
  readonly topSelf: Share[];
  /** Inclusive time of the functions on the event's way (and anything else large). */
  readonly topInclusive: Share[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function moduleOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (functionName === '(idle)' || functionName === '(program)' || functionName === '(root)') return functionName;
  if (url === '') return '(V8 builtins / native)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/** The line of `name`'s definition in a repo source file (profiles carry transpiled lines). */
function sourceLine(module: string, name: string): string {
  if (!/\.ts$/.test(module) || name === '' || name === '(anonymous)') return module;
  try {
    const lines = readFileSync(`${ROOT}${module}`, 'utf8').split('\n');
    const method = name.split('.').pop()!.replace(/^#/, '#?');
    const re = new RegExp(`^\\s*(export\\s+)?(async\\s+)?(function\\s+)?(private\\s+|public\\s+|static\\s+|get\\s+)*\\*?${method}\\s*[(<]`);
    const i = lines.findIndex((l) => re.test(l));
    return i >= 0 ? `${module}:${i + 1}` : module;
  } catch {
    return module;
  }
}

export function summarize(profile: CpuProfile, top = 20): ProfileSummary {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const weight = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample stands for the time until the next one.
    const w = (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0) / 1000;
    weight.set(samples[i]!, (weight.get(samples[i]!) ?? 0) + w);
  }
  const total = [...weight.values()].reduce((a, b) => a + b, 0);
  const key = (n: ProfileNode) => {
    const module = moduleOf(n.callFrame.url, n.callFrame.functionName);
    const name = n.callFrame.functionName || '(anonymous)';
    return { module, label: module.startsWith('(') ? module : `${name} ${sourceLine(module, name)}` };
  };
  const labels = new Map(profile.nodes.map((n) => [n.id, key(n)]));
  const selfBy = new Map<string, number>();
  const moduleBy = new Map<string, number>();
  const inclusiveBy = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  for (const [id, ms] of weight) {
    const { module, label } = labels.get(id)!;
    if (module === '(idle)') idle += ms;
    if (module === '(garbage collector)') gc += ms;
    selfBy.set(label, (selfBy.get(label) ?? 0) + ms);
    moduleBy.set(module, (moduleBy.get(module) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const l = labels.get(at)!;
      if (l.module.startsWith('(') || seen.has(l.label)) continue;
      seen.add(l.label);
      inclusiveBy.set(l.label, (inclusiveBy.get(l.label) ?? 0) + ms);
    }
  }
  const shares = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: Math.round((ms / total) * 1000) / 10 }));
  const inclusive = shares(inclusiveBy, 200).filter((s) => !/^(processTicksAndRejections|runMicrotasks|processImmediate|listOnTimeout)\b/.test(s.name));
  return {
    totalMs: Math.round(total),
    idlePercent: Math.round((idle / total) * 1000) / 10,
    gcPercent: Math.round((gc / total) * 1000) / 10,
    byModule: shares(moduleBy, 16),
    topSelf: shares(selfBy, top),
    topInclusive: inclusive.slice(0, top + 10),
  };
}

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

/**
 * Samples allocations while `fn` runs (every ~`intervalBytes`), counting objects the GC
 * already collected too: what the garbage collector's time is spent on.
 */
export async function allocationProfiled<T>(fn: () => Promise<T>, intervalBytes = 8192): Promise<{ result: T; head: HeapNode }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: intervalBytes,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    } as never);
    const result = await fn();
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: HeapNode } };
    return { result, head: profile.head };
  } finally {
    session.disconnect();
  }
}

export interface AllocationSummary {
  readonly totalMB: number;
  readonly byModule: Share[];
  /** Functions allocating the most (self), `ms` holding MB here. */
  readonly topSelf: Array<{ name: string; mb: number; percent: number }>;
}

/**
 * Allocations by function. What a builtin (`Array.prototype.map`, a spread, a Promise)
 * allocates is charged to the nearest JS caller, marked `(via builtins)`.
 */
export function summarizeAllocations(head: HeapNode, top = 20): AllocationSummary {
  const selfBy = new Map<string, number>();
  const moduleBy = new Map<string, number>();
  let total = 0;
  const labelOf = (n: HeapNode) => {
    const module = moduleOf(n.callFrame.url, n.callFrame.functionName);
    const name = n.callFrame.functionName || '(anonymous)';
    return { module, label: module.startsWith('(') ? module : `${name} ${sourceLine(module, name)}` };
  };
  const walk = (n: HeapNode, caller: { module: string; label: string } | undefined) => {
    const own = labelOf(n);
    const native = own.module === '(V8 builtins / native)' || own.module === 'node internals';
    const charged = native && caller !== undefined ? { module: caller.module, label: `${caller.label} (via builtins)` } : own;
    if (n.selfSize > 0) {
      selfBy.set(charged.label, (selfBy.get(charged.label) ?? 0) + n.selfSize);
      moduleBy.set(charged.module, (moduleBy.get(charged.module) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    const next = native || own.module.startsWith('(') ? caller : own;
    for (const c of n.children) walk(c, next);
  };
  walk(head, undefined);
  const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  const pct = (b: number) => Math.round((b / total) * 1000) / 10;
  const sorted = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  return {
    totalMB: mb(total),
    byModule: sorted(moduleBy, 16).map(([name, b]) => ({ name, ms: mb(b), percent: pct(b) })),
    topSelf: sorted(selfBy, top).map(([name, b]) => ({ name, mb: mb(b), percent: pct(b) })),
  };
}

export function saveProfile(path: string, profile: CpuProfile): void {
  writeFileSync(path, JSON.stringify(profile));
}

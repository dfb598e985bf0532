/**
 * `npm run bench [-- --quick] [-- --only a,b]`: every scenario against its baseline, each in
 * a child process of its own; per scenario `bench/out/<scenario>.json`, then
 * `bench/RESULTS.md` regenerated from them. Progress goes to stderr; the last line of stdout
 * is one JSON object: every row's ratio by id.
 *
 * --quick   smaller sizes and fewer rounds (under 3 minutes)
 * --only    a comma-separated subset (RESULTS.md keeps the other scenarios' last results)
 * --with-1m also the 1M-actor activation scenario (long; otherwise only with --only)
 * --render  only regenerate RESULTS.md from bench/out (after editing the renderer)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { progress } from './harness.ts';
import type { Mode, ScenarioResult } from './result.ts';
import { renderResults } from './results-md.ts';
import { SCENARIOS, scenarioNamed } from './scenarios.ts';

const OUT_DIR = new URL('./out/', import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const args = process.argv.slice(2);
const mode: Mode = args.includes('--quick') ? 'quick' : 'full';
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg === undefined ? undefined : (onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1]!).split(',');
const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
const selected = only === undefined ? SCENARIOS.filter((s) => !s.optional || args.includes('--with-1m')) : only.map(scenarioNamed);

let current: ChildProcess | undefined;
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    interrupted = true;
    progress(`${sig}: stopping the running scenario`);
    current?.kill('SIGTERM');
  });
}

function runChild(name: string, uses: readonly string[]): Promise<number> {
  const s = scenarioNamed(name);
  const heap = s.heapMB?.[mode];
  const nodeArgs = [...(heap ? [`--max-old-space-size=${heap}`] : []), '--import', 'tsx', fileURLToPath(new URL('./child.ts', import.meta.url)), name, mode, command, ...uses];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    current = child;
    const limit = setTimeout(() => {
      progress(`${name}: over ${s.timeoutSeconds[mode]} s, stopping it`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    }, s.timeoutSeconds[mode] * 1000);
    child.once('exit', (code, signal) => {
      clearTimeout(limit);
      current = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

mkdirSync(OUT_DIR, { recursive: true });
if (args.includes('--render')) {
  const runFile = new URL('run.json', OUT_DIR);
  const results = SCENARIOS.map((s) => new URL(`${s.name}.json`, OUT_DIR)).filter(existsSync).map((f) => JSON.parse(readFileSync(f, 'utf8')) as ScenarioResult);
  // The last real run as it was recorded, or as its results tell it.
  const first = results[0];
  const inferred = { command: first?.command ?? command, mode: first?.mode ?? mode, failed: [], totalSeconds: results.filter((r) => r.command === first?.command).reduce((a, r) => a + r.seconds, 0) };
  const run = existsSync(runFile) ? (JSON.parse(readFileSync(runFile, 'utf8')) as Parameters<typeof renderResults>[1]) : inferred;
  writeFileSync(new URL('./RESULTS.md', import.meta.url), renderResults(results, run));
  progress('bench/RESULTS.md re-rendered from bench/out');
  process.exit(0);
}
const t0 = performance.now();
const failed: string[] = [];
const done: string[] = [];
progress(`${command}: ${selected.map((s) => s.name).join(', ')} (${mode})`);
for (const s of selected) {
  if (interrupted) break;
  const file = new URL(`${s.name}.json`, OUT_DIR);
  rmSync(file, { force: true });
  const uses = (s.uses ?? []).filter((u) => done.includes(u));
  const started = performance.now();
  progress(`── ${s.name} ──`);
  let code = await runChild(s.name, uses);
  if (code !== 0 && !interrupted && performance.now() - started < 10_000) {
    // Failed while starting (e.g. someone reinstalling node_modules meanwhile): once more.
    progress(`${s.name}: failed at startup; retrying in 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    code = await runChild(s.name, uses);
  }
  if (code === 0 && existsSync(file)) done.push(s.name);
  else failed.push(s.name);
  progress(`${s.name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

// Every scenario's latest result (this run's, or an earlier one's when --only left it out).
const results: ScenarioResult[] = [];
for (const s of SCENARIOS) {
  const file = new URL(`${s.name}.json`, OUT_DIR);
  if (existsSync(file)) results.push(JSON.parse(readFileSync(file, 'utf8')) as ScenarioResult);
}
const totalSeconds = (performance.now() - t0) / 1000;
const runInfo = { command, mode, failed, totalSeconds };
writeFileSync(new URL('run.json', OUT_DIR), JSON.stringify(runInfo));
writeFileSync(new URL('./RESULTS.md', import.meta.url), renderResults(results, runInfo));
progress(`bench/RESULTS.md written; ${done.length} scenario(s) done, ${failed.length} failed, ${totalSeconds.toFixed(0)} s in all`);

const ratios: Record<string, number> = {};
for (const r of results) {
  if (!done.includes(r.scenario)) continue;
  for (const row of r.rows) ratios[row.id] = Math.round(row.ratio * 1000) / 1000;
}
console.log(JSON.stringify(ratios));
process.exit(failed.length > 0 || interrupted ? 1 : 0);

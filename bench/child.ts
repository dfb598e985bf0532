/**
 * Runs one scenario in this process and writes `bench/out/<scenario>.json`; started by
 * run.ts as `node --import tsx bench/child.ts <scenario> <quick|full> <command> [uses…]`.
 * Whatever happens (error, SIGTERM from the runner), the nodes and nats-servers it started
 * are stopped before it exits.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { machine, onCleanup, progress, runCleanups } from './harness.ts';
import type { Mode, ScenarioResult } from './result.ts';
import { scenarioNamed } from './scenarios.ts';

export const OUT_DIR = new URL('./out/', import.meta.url);

const [name = '', mode = 'quick', command = 'npm run bench', ...uses] = process.argv.slice(2);
// The runtime's timers are unref'd: keep the process alive while a scenario awaits one.
const keepAlive = setInterval(() => undefined, 1 << 30);
onCleanup(() => clearInterval(keepAlive));

let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    progress(`${name}: ${sig}, cleaning up`);
    void runCleanups().finally(() => process.exit(sig === 'SIGTERM' ? 143 : 130));
  });
}

let code = 0;
try {
  const scenario = scenarioNamed(name);
  const previous: Record<string, ScenarioResult> = {};
  for (const u of uses) previous[u] = JSON.parse(readFileSync(new URL(`${u}.json`, OUT_DIR), 'utf8')) as ScenarioResult;
  const started = new Date();
  const t0 = performance.now();
  const body = await scenario.run({ mode: mode as Mode, previous });
  const result: ScenarioResult = {
    scenario: name,
    mode: mode as Mode,
    date: started.toISOString(),
    command,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    machine: machine(),
    ...body,
  };
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(new URL(`${name}.json`, OUT_DIR), JSON.stringify(result, null, 2));
} catch (err) {
  code = 1;
  progress(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await runCleanups();
}
process.exit(code);

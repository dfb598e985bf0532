/**
 * Every scenario `npm run bench` runs, in order. Each runs in a child process of its own
 * (see child.ts), so one scenario's heap, JIT state and leftovers never weigh on the next.
 */
import { activation, activationMillion } from './activation.bench.ts';
import { crossNode } from './cross-node.bench.ts';
import { inProcess } from './in-process.bench.ts';
import { latency } from './latency.bench.ts';
import { natsPublish } from './nats-publish.bench.ts';
import type { Mode, ScenarioBody, ScenarioContext } from './result.ts';
import { savina } from './savina.bench.ts';

export interface Scenario {
  readonly name: string;
  readonly run: (ctx: ScenarioContext) => Promise<ScenarioBody>;
  /** Scenarios whose results (from this run) it reads. */
  readonly uses?: readonly string[];
  /** V8 old-space limit for its process, MB (default: Node's). */
  readonly heapMB?: Partial<Record<Mode, number>>;
  /** Not part of a plain run: only with `--only <name>` or `--with-1m`. */
  readonly optional?: boolean;
  /** Longest it may run before it is stopped, s. */
  readonly timeoutSeconds: Record<Mode, number>;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'in-process', run: inProcess, timeoutSeconds: { quick: 90, full: 300 } },
  { name: 'savina', run: savina, timeoutSeconds: { quick: 120, full: 600 } },
  { name: 'cross-node', run: crossNode, timeoutSeconds: { quick: 120, full: 400 } },
  { name: 'latency', run: latency, uses: ['cross-node'], timeoutSeconds: { quick: 120, full: 600 } },
  { name: 'activation', run: activation, heapMB: { quick: 4096, full: 16384 }, timeoutSeconds: { quick: 150, full: 900 } },
  { name: 'activation-1m', run: activationMillion, optional: true, heapMB: { quick: 16384, full: 16384 }, timeoutSeconds: { quick: 2400, full: 2400 } },
  {
    name: 'nats-publish',
    run: async (ctx) => {
      const { lines: _lines, ...body } = await natsPublish(ctx, ctx.mode === 'quick' ? 20_000 : 30_000);
      return body;
    },
    timeoutSeconds: { quick: 60, full: 180 },
  },
];

export function scenarioNamed(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (s === undefined) throw new Error(`unknown scenario: '${name}' (known: ${SCENARIOS.map((x) => x.name).join(', ')})`);
  return s;
}

/**
 * `causeway <command> [flags]`: the dispatcher. Every command lives in its own module,
 * imported only when it runs, so a command whose module is missing or broken fails alone
 * with a clear message instead of taking the others down.
 *
 * A command module exports `main(args): Promise<number>` (the exit code) and may export
 * `USAGE`. Commands throw `UsageError` for a wrong call: it is printed with the usage and the
 * exit code is 2.
 */
import { UsageError } from './args.ts';

interface CommandModule {
  main(args: string[]): Promise<number>;
  USAGE?: string;
}

interface Command {
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  node: { summary: 'run a node hosting the actors a module exports', load: () => import('./node-command.ts') },
  demo: { summary: 'start nats-server and a local cluster of node processes, run the bank workload', load: () => import('./demo.ts') },
  dlq: { summary: 'list or replay dead letters', load: () => import('./dlq.ts') },
  chaos: { summary: 'kill, pause and restart nodes and nats-server under load, then check every guarantee', load: () => import('./chaos.ts') },
  // Written separately and possibly absent: a computed specifier keeps tsc from requiring them.
  stats: { summary: 'print cluster-wide latency', load: () => importOptional('stats.ts') },
  dashboard: { summary: 'live view of a cluster', load: () => importOptional('dashboard.ts') },
};

export const USAGE = `usage: causeway <command> [flags]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}
  help       show this, or 'causeway help <command>'

Run 'causeway <command> --help' for a command's flags.`;

/** Runs `causeway` with `argv` (without node and script); resolves to the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic === undefined) return print(USAGE, 0);
    return help(topic);
  }
  const command = COMMANDS[name];
  if (command === undefined) return print(`causeway: unknown command '${name}'\n\n${USAGE}`, 2, true);
  const module = await load(name, command);
  if (module === undefined) return 1;
  if (rest.includes('--help') || rest.includes('-h')) {
    if (module.USAGE !== undefined) return print(module.USAGE, 0);
  }
  try {
    return await module.main(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      return print(`causeway ${name}: ${error.message}${module.USAGE ? `\n\n${module.USAGE}` : ''}`, 2, true);
    }
    console.error(`causeway ${name}: ${describe(error)}`);
    return 1;
  }
}

async function help(topic: string): Promise<number> {
  const command = COMMANDS[topic];
  if (command === undefined) return print(`causeway: no help for unknown command '${topic}'\n\n${USAGE}`, 2, true);
  const module = await load(topic, command);
  if (module === undefined) return 1;
  return print(module.USAGE ?? `causeway ${topic}: ${command.summary}`, 0);
}

async function load(name: string, command: Command): Promise<CommandModule | undefined> {
  try {
    return await command.load();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const file = name === 'node' ? 'node-command.ts' : `${name}.ts`;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`cli/${file}`)) {
      console.error(`causeway ${name}: not available in this build (cli/${file} is missing)`);
    } else {
      console.error(`causeway ${name}: not available: failed to load: ${describe(error)}`);
    }
    return undefined;
  }
}

function importOptional(file: string): Promise<CommandModule> {
  return import(new URL(`./${file}`, import.meta.url).href) as Promise<CommandModule>;
}

function print(text: string, code: number, toStderr = false): number {
  (toStderr ? console.error : console.log)(text);
  return code;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message + (process.env.CAUSEWAY_DEBUG ? `\n${error.stack}` : '');
  return String(error);
}

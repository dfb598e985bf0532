/**
 * Command-line parsing shared by every `causeway` subcommand: `node:util`'s `parseArgs` in
 * strict mode, plus typed readers that turn a bad value into a `UsageError` naming the flag.
 * A `UsageError` makes the dispatcher print the command's usage and exit with code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The user called a command wrongly; `message` says how. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** Parses `args` against `options`; unknown flags and missing values become `UsageError`s. */
export function parse(args: readonly string[], options: Options, allowPositionals = false): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    // parseArgs' messages are good ("Unknown option '--nodse'"); keep them, drop the stack.
    throw new UsageError((error as Error).message);
  }
}

/** A required string flag. */
export function requiredString(p: Parsed, name: string): string {
  const value = p.values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function optionalString(p: Parsed, name: string): string | undefined {
  const value = p.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** An integer flag within [min, max]; `fallback` when absent. */
export function integer(p: Parsed, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const value = p.values[name];
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got '${String(value)}')`);
  }
  return n;
}

/** An integer flag that may be absent. */
export function optionalInteger(p: Parsed, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return p.values[name] === undefined ? undefined : integer(p, name, 0, min, max);
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

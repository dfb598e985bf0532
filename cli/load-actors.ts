/**
 * Loads a user's module of actors for `causeway node` / `causeway dlq --actors`: every export
 * that looks like an actor definition (`type`, `accepts`, `activate`, `ref`) is hosted,
 * including the members of exported arrays (`export const bankActors = [account, transfer]`),
 * each type once.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ActorDefinition } from '../index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActor = ActorDefinition<string, any>;

/** The module has no actor definitions, or could not be loaded. */
export class ActorModuleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ActorModuleError';
  }
}

export function isActorDefinition(value: unknown): value is AnyActor {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && typeof v.accepts === 'function' && typeof v.activate === 'function' && typeof v.ref === 'function';
}

/** Imports `path` (relative to `cwd`) and returns its actor definitions by type. */
export async function loadActors(path: string, cwd = process.cwd()): Promise<AnyActor[]> {
  const url = pathToFileURL(resolve(cwd, path)).href;
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (cause) {
    throw new ActorModuleError(`cannot load actors from '${path}': ${(cause as Error).message}`, { cause });
  }
  const byType = new Map<string, AnyActor>();
  const add = (value: unknown, name: string): void => {
    if (!isActorDefinition(value)) return;
    const known = byType.get(value.type);
    if (known !== undefined && known !== value) {
      throw new ActorModuleError(`'${path}' exports two different definitions of actor type '${value.type}' (one is '${name}')`);
    }
    byType.set(value.type, value);
  };
  for (const [name, value] of Object.entries(module)) {
    if (Array.isArray(value)) value.forEach((v, i) => add(v, `${name}[${i}]`));
    else add(value, name);
  }
  if (byType.size === 0) {
    throw new ActorModuleError(`'${path}' exports no actor definitions (values made by defineActor)`);
  }
  return [...byType.values()];
}

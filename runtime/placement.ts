/**
 * Placement: which partition an actor lives in, and which live member should own a
 * partition. Rendezvous (highest random weight) hashing keeps moves minimal: when a member
 * joins or leaves, only the partitions whose top-scoring member changed move.
 */
import type { Address } from './types.ts';

/** Default number of partitions of a cluster namespace. */
export const DEFAULT_PARTITIONS = 64;

/** 32-bit FNV-1a; stable across processes and platforms (no Math.random, no Node hash). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes a 32-bit value so that near-identical keys spread (murmur3 finalizer). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** `partition = hash(type + '/' + id) mod P` (DESIGN §3). */
export function partitionOf(to: Address, partitions: number): number {
  return mix(fnv1a(`${to.type}/${to.id}`)) % partitions;
}

/** The member that should own `partition`, or undefined when there are no members. */
export function rendezvousOwner(partition: number, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const member of members) {
    const score = mix(fnv1a(`${member}#${partition}`));
    if (score > bestScore || (score === bestScore && best !== undefined && member < best)) {
      best = member;
      bestScore = score;
    }
  }
  return best;
}

/** Partitions `member` should own among `members`. */
export function partitionsOf(member: string, members: readonly string[], partitions: number): number[] {
  const owned: number[] = [];
  for (let p = 0; p < partitions; p++) if (rendezvousOwner(p, members) === member) owned.push(p);
  return owned;
}

/** Key of an actor in stores and maps: `<type>/<id>`. */
export function addressKey(to: Address): string {
  return `${to.type}/${to.id}`;
}

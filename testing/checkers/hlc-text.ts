/**
 * The checkers' own reading of the encoded HLC, kept apart from `runtime/hlc.ts` on purpose:
 * a checker that shared the runtime's parser would share its bugs.
 *
 * Encoding: 12 lowercase hex digits of wall ms, 4 of the logical counter, then the node id
 * (printable ASCII, at least one character). Order is (wall, logical, node).
 */

export interface ParsedHlc {
  readonly wall: number;
  readonly logical: number;
  readonly node: string;
}

const ENCODED = /^([0-9a-f]{12})([0-9a-f]{4})([\x20-\x7e]+)$/;

/** The parts of `text`, or `undefined` when it is not a well-formed encoded HLC. */
export function parseHlc(text: string): ParsedHlc | undefined {
  const m = ENCODED.exec(text);
  if (m === null) return undefined;
  return { wall: parseInt(m[1]!, 16), logical: parseInt(m[2]!, 16), node: m[3]! };
}

export function compareParsed(a: ParsedHlc, b: ParsedHlc): number {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  if (a.node === b.node) return 0;
  return a.node < b.node ? -1 : 1;
}

/**
 * Orders two encoded HLCs by (wall, logical, node); `undefined` when either is malformed
 * (the HLC checker reports those, the others skip the comparison).
 */
export function compareHlcText(a: string, b: string): number | undefined {
  const pa = parseHlc(a);
  const pb = parseHlc(b);
  return pa === undefined || pb === undefined ? undefined : compareParsed(pa, pb);
}

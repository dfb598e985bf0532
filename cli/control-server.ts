/**
 * The node's side of the control channel (see `control-protocol.ts`): reads requests from a
 * line stream, runs them against the node, writes one reply line each. Requests run
 * concurrently (a long `send-many` does not hold up `stats`); a bad line gets an error
 * reply, never a crash.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { CausewayNode } from '../index.ts';
import type { ControlReply, ControlRequest, SendItem, SendManyResult } from './control-protocol.ts';
import type { HistoryFile } from './history-file.ts';

export interface ControlServerOptions {
  readonly node: CausewayNode;
  readonly history?: HistoryFile;
  readonly input: Readable;
  readonly output: Writable;
  /** Called on `stop` requests and when the input ends (the parent went away). */
  readonly onStop: (why: string) => void;
}

const MAX_ERRORS = 5;

export function serveControl(o: ControlServerOptions): void {
  const lines = createInterface({ input: o.input, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    let request: ControlRequest;
    try {
      request = JSON.parse(line) as ControlRequest;
    } catch {
      return write(o.output, { reply: -1, ok: false, error: `not a JSON line: ${line.slice(0, 80)}` });
    }
    const id = typeof request?.id === 'number' ? request.id : -1;
    handle(o, request).then(
      (result) => {
        write(o.output, { reply: id, ok: true, result: result ?? null });
        if (request.op === 'stop') o.onStop('stop requested');
      },
      (error: unknown) => write(o.output, { reply: id, ok: false, error: messageOf(error), ...codeOf(error) }),
    );
  });
  lines.once('close', () => o.onStop('control input closed'));
}

async function handle(o: ControlServerOptions, r: ControlRequest): Promise<unknown> {
  const { node } = o;
  switch (r.op) {
    case 'send':
      return node.send(r.to, r.event);
    case 'send-many':
      return sendMany(node, r.sends);
    case 'ask':
      return node.ask(r.to, r.event, r.timeoutMs === undefined ? undefined : { timeoutMs: r.timeoutMs });
    case 'stats':
      return { stats: node.stats(), latency: node.latency.snapshot() };
    case 'flush':
      o.history?.flush();
      return null;
    case 'stop':
      return null;
    default:
      throw new Error(`unknown op: ${JSON.stringify((r as { op?: unknown }).op)}`);
  }
}

async function sendMany(node: CausewayNode, sends: readonly SendItem[]): Promise<SendManyResult> {
  if (!Array.isArray(sends)) throw new Error("'sends' must be an array");
  // Issued in order, synchronously one after the other: the node assigns per-sender seqs and
  // appends in call order, which is what makes the items' order that sender's FIFO order.
  const settled = await Promise.allSettled(sends.map((s) => node.send(s.to, s.event)));
  const errors: string[] = [];
  const ids = settled.map((s) => {
    if (s.status === 'fulfilled') return s.value.id;
    if (errors.length < MAX_ERRORS) errors.push(messageOf(s.reason));
    return null;
  });
  const accepted = ids.filter((id) => id !== null).length;
  return { accepted, failed: ids.length - accepted, ids, errors };
}

function write(output: Writable, reply: ControlReply): void {
  output.write(JSON.stringify(reply) + '\n');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function codeOf(error: unknown): { code?: string } {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? { code } : {};
}

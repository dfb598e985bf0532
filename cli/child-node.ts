/**
 * The parent's handle on a `causeway node --control` child process: spawn it, wait for its
 * ready line, make control requests, kill or stop it. Used by `causeway demo` and by the
 * multi-process tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Address, EventObject } from '../index.ts';
import { READY_LINE, REPLY_PREFIX, type ControlReply, type ControlResults, type SendItem } from './control-protocol.ts';

export const CAUSEWAY_BIN = fileURLToPath(new URL('../bin/causeway.mjs', import.meta.url));

export interface ChildNodeOptions {
  readonly nodeId: string;
  readonly actors: string;
  readonly nats: string;
  readonly history?: string;
  readonly partitions?: number;
  readonly namespace?: string;
  readonly leaseMs?: number;
  /** Default 30 000 ms (tsx compiles on first start). */
  readonly readyTimeoutMs?: number;
}

/** Children still running, killed if the parent exits without cleaning up. */
const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

export class ChildNode {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #stderr = '';
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;

  private constructor(readonly options: ChildNodeOptions) {
    const o = options;
    const args = [CAUSEWAY_BIN, 'node', '--control', '--node-id', o.nodeId, '--actors', o.actors, '--nats', o.nats];
    if (o.history) args.push('--history', o.history);
    if (o.partitions) args.push('--partitions', String(o.partitions));
    if (o.namespace) args.push('--namespace', o.namespace);
    if (o.leaseMs) args.push('--lease-ms', String(o.leaseMs));
    this.#child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    alive.add(this.#child);
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        alive.delete(this.#child);
        for (const p of this.#pending.values()) p.reject(new Error(`node ${o.nodeId} exited`));
        this.#pending.clear();
        resolve(code ?? signal ?? 'unknown');
      });
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-4_000)));
    // Writing to a child that died must not crash the parent: requests fail via `exited`.
    this.#child.stdin!.on('error', () => undefined);
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }
  get nodeId(): string {
    return this.options.nodeId;
  }
  /** The last few KB the node wrote to stderr (for failure reports). */
  get stderrTail(): string {
    return this.#stderr;
  }
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts a node and resolves once it printed its ready line. */
  static async start(options: ChildNodeOptions): Promise<ChildNode> {
    const node = new ChildNode(options);
    await node.#waitReady(options.readyTimeoutMs ?? 30_000);
    return node;
  }

  #waitReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
      const fail = (why: string): void => {
        clearTimeout(timer);
        this.#child.kill('SIGKILL');
        reject(new Error(`node ${this.nodeId} ${why}\n${this.#stderr}`));
      };
      void this.exited.then((how) => fail(`exited (${how}) before it was ready`));
      const lines = createInterface({ input: this.#child.stdout!, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (line.startsWith(REPLY_PREFIX)) return this.#onReply(JSON.parse(line) as ControlReply);
        if (READY_LINE.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  #onReply(reply: ControlReply): void {
    const pending = this.#pending.get(reply.reply);
    if (pending === undefined) return;
    this.#pending.delete(reply.reply);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(Object.assign(new Error(`node ${this.nodeId}: ${reply.error}`), { code: reply.code }));
  }

  request<Op extends keyof ControlResults>(op: Op, fields: Record<string, unknown> = {}): Promise<ControlResults[Op]> {
    if (!this.running) return Promise.reject(new Error(`node ${this.nodeId} is not running`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.stdin!.write(JSON.stringify({ ...fields, id, op }) + '\n');
    });
  }

  send(to: Address, event: EventObject) {
    return this.request('send', { to, event });
  }
  sendMany(sends: readonly SendItem[]) {
    return this.request('send-many', { sends });
  }
  ask(to: Address, event: EventObject, timeoutMs?: number) {
    return this.request('ask', { to, event, ...(timeoutMs ? { timeoutMs } : {}) });
  }
  stats() {
    return this.request('stats');
  }
  flush() {
    return this.request('flush');
  }

  /** Sends `signal`; for a terminating one resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.#child.kill(signal);
    if (signal !== 'SIGSTOP' && signal !== 'SIGCONT') await this.exited;
  }

  /** Graceful stop (SIGTERM: drain, release leases, flush history); SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 20_000): Promise<number | string> {
    if (this.running) {
      this.#child.kill('SIGCONT'); // a stopped process would not see the TERM
      this.#child.kill('SIGTERM');
      const force = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(force);
    }
    return this.exited;
  }
}

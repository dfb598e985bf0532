/**
 * Starts a throwaway `nats-server` for tests, benchmarks and the local demo: a free loopback
 * port, a temporary store dir, ready when it accepts connections. The binary comes from
 * `NATS_SERVER_BIN`, then PATH, then `/usr/sbin/nats-server` (where the Debian package puts it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface NatsServerOptions {
  /** Enable JetStream (`-js`). Default true. */
  jetstream?: boolean;
  /** Store dir; default a fresh temp dir, removed by `stop()` (a given dir is kept). */
  storeDir?: string;
  /** Extra command-line arguments. */
  args?: string[];
  /** How long to wait for the server to accept connections, ms. Default 10 000. */
  readyTimeoutMs?: number;
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Kills the server (SIGTERM, then SIGKILL) and removes the temp store dir. */
  stop(): Promise<void>;
  /** Sends `signal`; for a terminating signal, resolves once the process exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again (stopping it first if running) on the same port and store dir. */
  restart(): Promise<void>;
}

const FALLBACK_BIN = '/usr/sbin/nats-server';
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function findNatsServer(): string {
  const configured = process.env.NATS_SERVER_BIN;
  if (configured) {
    // Set on purpose, so a wrong value is an error rather than a silent fallback.
    if (!executable(configured)) throw new Error(`NATS_SERVER_BIN='${configured}' is not an executable file`);
    return configured;
  }
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'nats-server')),
    FALLBACK_BIN,
  ];
  for (const bin of candidates) if (executable(bin)) return bin;
  throw new Error(
    'nats-server not found: install with `apt-get update && apt-get install -y nats-server` or set NATS_SERVER_BIN',
  );
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const bin = findNatsServer();
  const ownDir = options.storeDir === undefined;
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'causeway-nats-'));
  const port = await freePort();
  const args = ['-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, ...(options.args ?? [])];
  if (options.jetstream !== false) args.push('-js');
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    const out = { log: '', ready: false };
    proc.stderr?.on('data', (chunk: Buffer) => {
      out.log = (out.log + chunk.toString()).slice(-8_000);
      // Logged after JetStream and the client listener are up.
      out.ready ||= out.log.includes('Server is ready');
    });
    child = proc;
    await waitReady(proc, port, readyTimeoutMs, out);
  };
  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') return;
    const force = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(force);
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    kill,
    restart: async () => {
      await kill('SIGTERM');
      await launch();
    },
    stop: async () => {
      if (child?.signalCode === null && child.exitCode === null) child.kill('SIGCONT'); // a stopped process ignores TERM
      await kill('SIGTERM');
      if (ownDir) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A port nobody listens on right now (bind port 0, read it, close). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(
  proc: ChildProcess,
  port: number,
  timeoutMs: number,
  out: { readonly log: string; readonly ready: boolean },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`nats-server exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${out.log}`);
    }
    if (out.ready && (await accepts(port))) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  proc.kill('SIGKILL');
  throw new Error(`nats-server did not accept connections on port ${port} within ${timeoutMs} ms:\n${out.log}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * `causeway dashboard`: a live view of a cluster in the browser. It listens to the nodes'
 * metrics reports (never joining the cluster), and serves one self-contained page
 * (`dashboard.html`: no build step, no CDN, inline script and SVG) plus a Server-Sent Events
 * stream that pushes the whole merged cluster state once per tick.
 *
 *   GET /            the page
 *   GET /events      text/event-stream, one `DashboardFrame` per tick
 *   GET /state.json  the latest frame (for scripts and curl)
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../runtime/clock.ts';
import { realTimers } from '../runtime/timers.ts';
import { subscribeMetrics } from '../transport/nats/metrics-subscriber.ts';
import { DEFAULT_NAMESPACE } from '../transport/nats/options.ts';
import { integer, optionalString, parse, requiredString } from './args.ts';
import { DashboardState, type DashboardFrame } from './dashboard-state.ts';
import { serversOf } from './nats-flags.ts';

export const DEFAULT_DASHBOARD_PORT = 8080;
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';
export const DEFAULT_TICK_MS = 1_000;

export const USAGE = `usage: causeway dashboard --nats <url> [--namespace <ns>] [--port ${DEFAULT_DASHBOARD_PORT}] [--host ${DEFAULT_DASHBOARD_HOST}]

Serves a live view of the cluster at http://<host>:<port>/: nodes, partition ownership,
actor counts, throughput, and p50/p99 latency per stage over time. Ctrl-C stops it.

  --nats <url[,url]>   NATS server(s) of the cluster (required)
  --namespace <ns>     cluster namespace (default '${DEFAULT_NAMESPACE}')
  --port <n>           HTTP port (default ${DEFAULT_DASHBOARD_PORT}; 0 picks a free one)
  --host <addr>        interface to bind (default ${DEFAULT_DASHBOARD_HOST}; 0.0.0.0 for every one)`;

export interface DashboardOptions {
  readonly servers: string[];
  /** Default `'causeway'`. */
  readonly namespace?: string;
  /** Default {@link DEFAULT_DASHBOARD_PORT}; 0 picks a free port. */
  readonly port?: number;
  /** Default {@link DEFAULT_DASHBOARD_HOST}. */
  readonly host?: string;
  /** How often a frame is pushed, ms. Default {@link DEFAULT_TICK_MS}. */
  readonly tickMs?: number;
}

export interface Dashboard {
  readonly url: string;
  readonly port: number;
  /** The latest frame pushed (undefined before the first tick). */
  readonly frame: DashboardFrame | undefined;
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  // Read per start, not at import: `causeway help` loads this module without serving anything.
  const page = readFileSync(new URL('./dashboard.html', import.meta.url), 'utf8');
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  const state = new DashboardState(namespace);
  const stream = await subscribeMetrics({ servers: options.servers, namespace, name: 'causeway:dashboard' });
  const listening = (async () => {
    for await (const data of stream) state.ingest(data, systemClock.now());
  })().catch((error: unknown) => {
    // The page shows nodes going stale; the reason belongs in the terminal.
    console.error('causeway dashboard: listening for metrics failed:', error);
  });
  const clients = new Set<ServerResponse>();
  let frame: DashboardFrame | undefined;
  let closed = false;

  const server = createServer((req, res) => route(req, res));
  function route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return text(res, 405, 'method not allowed\n');
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return void res.end(page);
    }
    if (path === '/state.json') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      return void res.end(JSON.stringify(frame ?? null));
    }
    if (path === '/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      // The browser reconnects by itself after this long when the stream breaks.
      res.write('retry: 1000\n\n');
      if (frame !== undefined) res.write(event(frame));
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    text(res, 404, 'not found\n');
  }

  let cancelTick = (): void => {};
  const tick = (): void => {
    if (closed) return;
    frame = state.tick(systemClock.now());
    const data = event(frame);
    for (const res of clients) res.write(data);
    cancelTick = realTimers.setTimer(tickMs, tick);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_DASHBOARD_PORT, options.host ?? DEFAULT_DASHBOARD_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await stream.close();
    throw error;
  });
  tick();
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? DEFAULT_DASHBOARD_HOST;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    get frame() {
      return frame;
    },
    async close() {
      if (closed) return;
      closed = true;
      cancelTick();
      for (const res of clients) res.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await stream.close();
      await listening;
    },
  };
}

export async function main(args: string[]): Promise<number> {
  const p = parse(args, { nats: { type: 'string' }, namespace: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } });
  const dashboard = await startDashboard({
    servers: serversOf(requiredString(p, 'nats')),
    namespace: optionalString(p, 'namespace') ?? DEFAULT_NAMESPACE,
    port: integer(p, 'port', DEFAULT_DASHBOARD_PORT, 0, 65_535),
    host: optionalString(p, 'host') ?? DEFAULT_DASHBOARD_HOST,
  });
  console.log(`causeway dashboard: ${dashboard.url} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await dashboard.close();
  return 0;
}

function event(frame: DashboardFrame): string {
  return `data: ${JSON.stringify(frame)}\n\n`;
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(body);
}

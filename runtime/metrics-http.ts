/**
 * The HTTP endpoint Prometheus scrapes: `GET /metrics` answers with whatever `render()`
 * returns at that moment. Started by a node with the `metricsPort` option, closed by
 * `node.stop()`. Nothing is cached: a scrape reads the node's counters and percentiles.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus.ts';

export interface MetricsServerOptions {
  /** Interface to bind, e.g. `127.0.0.1` or `0.0.0.0`. */
  readonly host: string;
  /** Port to listen on; `0` picks a free one (read it from `port` afterwards). */
  readonly port: number;
  /** The exposition text of this moment. */
  readonly render: () => string;
}

export interface MetricsServer {
  /** The port actually bound. */
  readonly port: number;
  /** `http://<host>:<port>/metrics` */
  readonly url: string;
  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => handle(req, res, options.render));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${host}:${port}/metrics`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Prometheus keeps its connection open between scrapes; close() alone would wait for it.
        server.closeAllConnections();
      })),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, render: () => string): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') return reply(res, 404, 'not found: try /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return reply(res, 405, `method not allowed: '${req.method}'\n`);
  }
  let body: string;
  try {
    body = render();
  } catch (error) {
    // A scrape that fails must say so (Prometheus marks the target down) and not take the node with it.
    return reply(res, 500, `metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

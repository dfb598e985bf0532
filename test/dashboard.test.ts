/**
 * `causeway dashboard` end to end in a real browser: a nats-server of our own, three bank
 * nodes under a small load, the dashboard on a free port, and headless Chromium driven by
 * playwright-core. The page must list the three nodes and its plots must move. A screenshot
 * goes to test/artifacts/dashboard.png for a human to look at.
 *
 * Skipped, saying why, when Chromium or playwright-core is missing.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNode, natsTransport } from '../index.ts';
import { account, bankActors, transfer } from '../examples/bank/actors.ts';
import { startDashboard, type Dashboard } from '../cli/dashboard.ts';
import { eventually, startNatsServer, type NatsServer } from './support/nats-server.ts';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const NODE_IDS = ['dash-n1', 'dash-n2', 'dash-n3'];

/** The part of playwright-core used here; imported by name at run time so typecheck never needs it. */
interface Page {
  goto(url: string): Promise<unknown>;
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, options?: { timeout?: number }): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
}
interface Browser {
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
type Chromium = { launch(options: { executablePath: string; args: string[] }): Promise<Browser> };
/** The page's `document`, as far as the functions below use it: they run in Chromium, not here. */
interface PageElement {
  getAttribute(name: string): string | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};

async function loadChromium(): Promise<Chromium | string> {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM}: install it with 'apt-get update && apt-get install -y chromium'`;
  const name = 'playwright-core';
  try {
    return ((await import(name)) as { chromium: Chromium }).chromium;
  } catch {
    return `playwright-core is not installed: 'npm install --save-dev playwright-core'`;
  }
}

const chromium = await loadChromium();
if (typeof chromium === 'string') console.warn(`dashboard test skipped: ${chromium}`);

describe.skipIf(typeof chromium === 'string')(`causeway dashboard${typeof chromium === 'string' ? ` (skipped: ${chromium})` : ''}`, () => {
  let server: NatsServer;
  let nodes: Awaited<ReturnType<typeof createNode<typeof bankActors>>>[] = [];
  let dashboard: Dashboard;
  let browser: Browser | undefined;
  let loading = true;
  let load: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    server = await startNatsServer();
    const transport = () => natsTransport({ servers: server.url, namespace: 'dash', partitions: 12, storage: 'memory', leaseMs: 1500, leaseRenewMs: 500, heartbeatMs: 500, deadAfterMs: 1500 });
    nodes = await Promise.all(NODE_IDS.map((nodeId) => createNode({ actors: bankActors, nodeId, transport: transport(), metricsIntervalMs: 500 })));
    await eventually('every partition owned', () => nodes.reduce((n, node) => n + node.stats().partitions.length, 0) === 12);
    load = (async () => {
      for (let i = 0; loading; i++) {
        const node = nodes[i % nodes.length]!;
        await Promise.all([
          node.send(account.ref(`acc${i % 20}`), { type: 'DEPOSIT', amount: 5 }),
          node.send(transfer.ref(`t${i}`), { type: 'START', from: `acc${i % 20}`, to: `acc${(i + 7) % 20}`, amount: 1 }),
        ]);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    dashboard = await startDashboard({ servers: [server.url], namespace: 'dash', port: 0, tickMs: 500 });
  });

  afterAll(async () => {
    loading = false;
    await load.catch(() => undefined);
    await browser?.close();
    await dashboard?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await server?.stop();
  });

  it('shows the three nodes and plots that update live', async () => {
    browser = await (chromium as Chromium).launch({ executablePath: CHROMIUM, args: ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(dashboard.url);

    await page.waitForFunction(
      (ids) => ids.every((id) => document.querySelector(`tr[data-node-id="${id}"] .st-up`) !== null),
      NODE_IDS,
      { timeout: 15_000 },
    );
    const shown = await page.evaluate(() => [...document.querySelectorAll('tr[data-node-id]')].map((tr) => tr.getAttribute('data-node-id')), null);
    expect(shown).toEqual(NODE_IDS);
    // Every partition has an owner on the map, and the owners are our nodes.
    const owners = await page.evaluate(() => [...document.querySelectorAll('#owners div')].map((d) => d.getAttribute('data-owner')), null);
    expect(owners).toHaveLength(12);
    expect(new Set(owners)).toEqual(new Set(NODE_IDS));

    const read = () =>
      page.evaluate(() => {
        const svg = document.querySelector('svg[data-stage="send->processed"]');
        return { points: Number(svg?.getAttribute('data-points') ?? 0), updated: Number(svg?.getAttribute('data-updated') ?? 0) };
      }, null);
    await page.waitForFunction(() => Number(document.querySelector('svg[data-stage="send->processed"]')?.getAttribute('data-points')) >= 2, null, { timeout: 15_000 });
    const before = await read();
    await page.waitForFunction((n) => Number(document.querySelector('svg[data-stage="send->processed"]')?.getAttribute('data-points')) > n, before.points, { timeout: 15_000 });
    const after = await read();
    expect(after.points).toBeGreaterThan(before.points);
    expect(after.updated).toBeGreaterThan(before.updated);

    // The server's own frame agrees with the page.
    expect(dashboard.frame?.nodes.map((n) => n.id)).toEqual(NODE_IDS);
    // A few more ticks, so that the screenshot shows lines rather than dots.
    await page.waitForFunction(() => Number(document.querySelector('svg[data-stage="send->processed"]')?.getAttribute('data-points')) >= 16, null, { timeout: 15_000 });
    mkdirSync('test/artifacts', { recursive: true });
    await page.screenshot({ path: 'test/artifacts/dashboard.png', fullPage: true });
  });
});

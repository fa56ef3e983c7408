/**
 * Test helper for the real-browser suite: Debian's chromium driven by
 * playwright-core (never a downloaded browser), watchers that collect what
 * a user would see go wrong (console errors, page errors, dialogs), full-page
 * screenshots, and a tiny HTTP server playing "another site" that embeds the
 * components.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from './daemon.js';

/** Debian's chromium; CI installs it with `apt-get install -y chromium` (.ci/run). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, and nothing that reaches the network; shared with scripts/ui-preview.mjs. */
const CHROMIUM_ARGS = JSON.parse(readFileSync(join(ROOT, 'scripts', 'chromium-args.json'), 'utf8')) as string[];

/** Where the suite saves screenshots (gitignored). */
export const ARTIFACTS_DIR = join(ROOT, 'test-artifacts', 'browser');

export type BrowserGate =
  | { run: true }
  /** `required`: under CI a missing browser is a failure, not a skip. */
  | { run: false; reason: string; required: boolean };

/** Whether the browser suite can run here. */
export function browserGate(env: NodeJS.ProcessEnv = process.env): BrowserGate {
  if (existsSync(CHROMIUM_PATH)) return { run: true };
  const required = env['CI'] !== undefined && env['CI'] !== '';
  return {
    run: false,
    required,
    reason: `${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests`,
  };
}

/**
 * Launches Debian's chromium headless. `launch()` gives the browser a fresh
 * temporary profile (user-data-dir) that is deleted on close; each test
 * context on top of it is isolated again (storage, cookies).
 */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface PageWatch {
  /** console.error messages and uncaught page errors not covered by `allowed`. */
  errors: string[];
  /** Every alert/confirm/prompt that opened (dismissed at once). */
  dialogs: string[];
}

/**
 * Records what goes wrong on a page. `allowed` lists console errors that a
 * test provokes on purpose (the browser logs every 401 answer as one).
 */
export function watchPage(page: Page, allowed: readonly RegExp[] = []): PageWatch {
  const watch: PageWatch = { errors: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (!allowed.some((re) => re.test(text))) watch.errors.push(`console.error: ${text} (${m.location().url})`);
  });
  page.on('pageerror', (e) => watch.errors.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    watch.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  return watch;
}

/** Waits for two animation frames, i.e. until what changed has been painted. */
export async function painted(page: Page): Promise<void> {
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
}

/**
 * A screenshot of the whole page. A large node's rows are a virtual list
 * that renders only the rows near the viewport, so the viewport is first
 * made as tall as the page (and put back).
 */
export async function fullScreenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const before = page.viewportSize() ?? { width: 1280, height: 900 };
  const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
  await page.setViewportSize({ width: before.width, height: Math.min(Math.max(height, before.height), 20_000) });
  await painted(page);
  await page.screenshot({ path, fullPage: true });
  await page.setViewportSize(before);
}

/** A port on 127.0.0.1 that was free a moment ago (and, unused, is closed). */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * A port on 127.0.0.1 where nothing listens, for "connection refused" cases.
 * Taken below the kernel's ephemeral range (net.ipv4.ip_local_port_range), so
 * no `listen(0)` elsewhere on the machine and no client socket can land on it
 * while the test runs, as a port from freePort() can.
 */
export async function closedPort(): Promise<number> {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const top = Math.min(low ?? 32768, 32768) - 1;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = top - 1000 - Math.floor(Math.random() * 8000);
    const srv = createNetServer();
    const free = await new Promise<boolean>((r) => {
      srv.once('error', () => r(false));
      srv.listen(port, '127.0.0.1', () => r(true));
    });
    if (free) {
      await new Promise<void>((r) => srv.close(() => r()));
      return port;
    }
  }
  throw new Error('no closed port found below the ephemeral range');
}

export interface StaticSite {
  origin: string;
  /** Sets the HTML served at `/` (until then: an empty page). */
  setPage(html: string): void;
  close(): Promise<void>;
}

/**
 * Serves one HTML page at `/` on 127.0.0.1 with an ephemeral port: another
 * origin than any daemon. The origin is known before the page is, so a
 * daemon can list it in cors_origins and the page can then point at it.
 */
export async function serveHtmlPage(): Promise<StaticSite> {
  let body = '<!doctype html><title>empty</title>';
  const server = createHttpServer((req, res) => {
    if (req.url !== '/' && req.url !== '/index.html') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    setPage: (html) => {
      body = html;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

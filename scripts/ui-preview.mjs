#!/usr/bin/env node
/**
 * Looks at the dashboard without a daemon: builds the bundle if needed,
 * serves public/ plus a synthetic `/api/cluster` on 127.0.0.1 (with the
 * daemon's strict CSP, so a violation shows up), opens it in Debian's
 * chromium through playwright-core, and saves screenshots. It also reports
 * console errors, CSP violations, and the time to first full render.
 *
 * Usage:
 *   node scripts/ui-preview.mjs [--scenario showcase|large|unauthorized|down|file:<cluster.json>]
 *     [--widths 1280,375] [--out test-artifacts/ui] [--hover] [--nodes 5 --units 500]
 *     [--full] [--serve]
 *
 * Importable: `startPreviewServer({ scenario })` and `measureRender(page, expectNodes)`
 * for the benchmark and browser tests.
 */
import { createServer } from 'node:http';
import { mkdir, readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildUi } from './build-ui.mjs';
import { largeCluster, showcaseCluster } from './ui-fixtures.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const publicDir = join(root, 'public');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Headless, and nothing that reaches the network (this machine has none): shared with the browser tests.
const CHROMIUM_ARGS = JSON.parse(readFileSync(join(root, 'scripts', 'chromium-args.json'), 'utf8'));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
/** The daemon's headers, so the preview fails the same way the real page would. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** A preview page with a dashboard configured by query (the real index.html has no knobs). */
function previewPage(params) {
  const interval = Number(params.get('interval')) || 30;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>JobMonitor preview</title><link rel="icon" href="/favicon.svg"><link rel="stylesheet" href="/styles.css">
<script type="module" src="/dist/jobmonitor.js"></script></head>
<body><jm-dashboard standalone refresh-interval="${interval}"></jm-dashboard></body></html>`;
}

/**
 * Serves public/ and `/api/cluster` for a scenario on 127.0.0.1 (random port).
 * Scenarios: showcase, large (nodes x units), unauthorized (401 unless
 * `Bearer secret`), down (answers once, then drops connections),
 * file:<path> (a captured cluster body, served for both ranges).
 * `corsOrigin` (a string, or a predicate on the Origin header) answers CORS
 * for embedding pages served elsewhere.
 */
export async function startPreviewServer({
  scenario = 'showcase',
  nodes = 5,
  units = 500,
  now = () => Date.now(),
  corsOrigin = null,
} = {}) {
  let requests = 0;
  const fileBody = scenario.startsWith('file:') ? await readFile(scenario.slice(5), 'utf8') : null;
  // The large body takes the server a while to build; built once per range so timings measure the page.
  const cache = new Map();
  const clusterBody = (range) => {
    if (fileBody !== null) return fileBody;
    if (scenario !== 'large') return JSON.stringify(showcaseCluster({ now: now(), range }));
    if (!cache.has(range)) cache.set(range, JSON.stringify(largeCluster({ now: now(), range, nodes, units })));
    return cache.get(range);
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const allowed = typeof corsOrigin === 'function' ? corsOrigin : (o) => o === corsOrigin;
    if (origin && corsOrigin && allowed(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Methods': 'GET',
          'Access-Control-Allow-Headers': 'Authorization, Accept',
          'Access-Control-Max-Age': '600',
        });
        res.end();
        return;
      }
    }
    if (url.pathname === '/api/cluster') {
      requests += 1;
      if (scenario === 'down' && requests > 1) {
        req.socket.destroy();
        return;
      }
      if (scenario === 'unauthorized' && req.headers.authorization !== 'Bearer secret') {
        res.writeHead(401, { 'Content-Type': 'application/json', ...SECURITY_HEADERS });
        res.end(JSON.stringify({ error: { message: 'missing or invalid API key', code: 'unauthorized' } }));
        return;
      }
      const range = url.searchParams.get('range') === '30d' ? '30d' : '24h';
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
      res.end(clusterBody(range));
      return;
    }
    if (url.pathname === '/__preview.html') {
      res.writeHead(200, { 'Content-Type': TYPES['.html'], ...SECURITY_HEADERS });
      res.end(previewPage(url.searchParams));
      return;
    }
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = normalize(join(publicDir, rel));
    if (!file.startsWith(publicDir + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', ...SECURITY_HEADERS });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS }).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Serves public/demo/ on another origin (another port of 127.0.0.1), with
 * the demo's JobMonitor address replaced by `apiOrigin` and a CSP that
 * allows only itself and that origin.
 */
export async function startDemoServer({ apiOrigin }) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const name = url.pathname === '/' ? 'embed.html' : url.pathname.slice(1);
    if (!/^[a-z0-9-]+\.(html|css)$/.test(name)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const text = (await readFile(join(publicDir, 'demo', name), 'utf8')).replaceAll('http://127.0.0.1:8080', apiOrigin);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(name)],
        'Content-Security-Policy': `default-src 'self' ${apiOrigin}`,
      });
      res.end(text);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Launches Debian's chromium through playwright-core. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Waits until the dashboard shows a card for each of `expectNodes` nodes,
 * every element has finished updating and the result
 * was painted (the rows the page renders: a large node's list is virtual, so
 * only the rows near the viewport exist), and returns `performance.now()`
 * then, i.e. milliseconds since navigation start.
 */
export async function measureRender(page, expectNodes) {
  return page.evaluate(async (expected) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const settle = (els) => Promise.all(els.map((e) => e.updateComplete));
    for (;;) {
      const dash = document.querySelector('jm-dashboard');
      if (dash?.shadowRoot) {
        await dash.updateComplete;
        const cards = [...dash.shadowRoot.querySelectorAll('jm-node-card')];
        await settle(cards);
        const summary = dash.shadowRoot.querySelector('jm-fleet-summary');
        if (summary) await summary.updateComplete;
        await frame();
        const rows = cards.flatMap((c) => [...c.shadowRoot.querySelectorAll('jm-unit-row')]);
        if (cards.length >= expected) {
          await settle(rows);
          await frame();
          const timelines = rows.map((r) => r.shadowRoot?.querySelector('jm-timeline')).filter(Boolean);
          await settle(timelines);
          const pending = [dash, ...cards, ...rows, ...timelines].some((e) => e.isUpdatePending);
          if (!pending) {
            await frame();
            return performance.now();
          }
          continue;
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }, expectNodes);
}

/**
 * A screenshot of the whole page. A virtual list renders only the rows near
 * the viewport, so the viewport is first made as tall as the page (at most
 * 20,000 px).
 */
export async function fullScreenshot(page, path, full = true) {
  if (full) {
    const { width } = page.viewportSize() ?? { width: 1280 };
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width, height: Math.min(height, 20_000) });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  await page.screenshot({ path, fullPage: full });
}

/** The embedding demo, served from another origin than the API, screenshotted. */
async function previewEmbed(opts) {
  const scenario = opts.scenario === 'showcase' ? `file:${join(root, 'test/fixtures/ui/go-node-a-cluster-24h.json')}` : opts.scenario;
  const api = await startPreviewServer({ scenario, corsOrigin: (o) => o.startsWith('http://127.0.0.1:') });
  const demo = await startDemoServer({ apiOrigin: api.origin });
  const browser = await launchChromium();
  const problems = [];
  try {
    await mkdir(opts.out, { recursive: true });
    const page = await browser.newPage({ viewport: { width: opts.widths[0] ?? 1280, height: 900 } });
    page.on('console', (m) => m.type() === 'error' && problems.push(`console.error: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${demo.origin}/`);
    await page.locator('jm-node-card jm-unit-row').first().waitFor();
    await page.locator('jm-dashboard jm-unit-row').first().waitFor();
    await page.locator('jm-timeline .track').first().waitFor();
    await fullScreenshot(page, join(opts.out, 'embed.png'));
    console.log(`embed page ${demo.origin} -> API ${api.origin}: components rendered`);
  } finally {
    await browser.close();
    await demo.close();
    await api.close();
  }
  for (const p of problems) console.log(p);
  if (problems.length) process.exitCode = 1;
}

function parseArgs(argv) {
  const opts = { scenario: 'showcase', widths: [1280, 375], out: join(root, 'test-artifacts/ui'), hover: false, full: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? '';
    if (a === '--scenario') opts.scenario = next();
    else if (a === '--widths') opts.widths = next().split(',').map(Number).filter(Boolean);
    else if (a === '--out') opts.out = next();
    else if (a === '--hover') opts.hover = true;
    else if (a === '--no-full') opts.full = false;
    else if (a === '--serve') opts.serve = true;
    else if (a === '--embed') opts.embed = true;
    else if (a === '--nodes') opts.nodes = Number(next());
    else if (a === '--units') opts.units = Number(next());
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  await buildUi({ ifNeeded: true });
  if (opts.embed) {
    await previewEmbed(opts);
    return;
  }
  const server = await startPreviewServer(opts);
  if (opts.serve) {
    console.log(`serving ${opts.scenario} at ${server.origin}/ (Ctrl-C to stop)`);
    return;
  }
  const browser = await launchChromium();
  const problems = [];
  try {
    await mkdir(opts.out, { recursive: true });
    const large = opts.scenario === 'large';
    const expectNodes = large ? (opts.nodes ?? 5) : 0;
    for (const width of opts.widths) {
      const page = await browser.newPage({ viewport: { width, height: large ? 900 : 800 }, deviceScaleFactor: 1 });
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`[${width}] console.${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`[${width}] page error: ${e.message}`));
      page.on('dialog', (d) => {
        problems.push(`[${width}] dialog opened: ${d.message()}`);
        void d.dismiss();
      });
      const path = opts.scenario === 'down' ? '/__preview.html?interval=1' : '/';
      await page.goto(`${server.origin}${path}`);
      if (expectNodes) {
        const ms = await measureRender(page, expectNodes);
        console.log(`[${width}] first full render of ${expectNodes} nodes x ${opts.units ?? 500} units: ${ms.toFixed(0)} ms after navigation start`);
      } else if (opts.scenario === 'down') {
        await page.locator('jm-dashboard .banner').waitFor();
      } else if (opts.scenario === 'unauthorized') {
        await page.locator('jm-api-key-form input[name=key]').waitFor();
      } else {
        await page.locator('jm-unit-row').first().waitFor();
        await measureRender(page, 1);
      }
      const name = `${opts.scenario.replace(/[^a-z0-9]+/gi, '-')}-${width}`;
      await fullScreenshot(page, join(opts.out, `${name}.png`), opts.full && !large);
      if (opts.hover && !large) {
        await page.setViewportSize({ width, height: 800 });
        const track = page.locator('jm-unit-row').nth(2).locator('.track');
        await track.scrollIntoViewIfNeeded();
        // Rows scrolled into view are painted on the next frame.
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const box = await track.boundingBox();
        if (box) {
          await page.mouse.move(box.x + box.width * (77.5 / 80), box.y + box.height / 2);
          await page.locator('jm-timeline .tip').first().waitFor();
          const clip = { x: 0, y: Math.max(0, box.y - 200), width, height: 320 };
          await page.screenshot({ path: join(opts.out, `${name}-hover.png`), clip });
        }
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  for (const p of problems) console.log(p);
  console.log(`screenshots in ${opts.out}; ${problems.length} console problem(s)`);
  if (problems.length) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

/**
 * The dashboard in a real browser (Debian's chromium via playwright-core)
 * against real daemon processes on 127.0.0.1 with real data from a fake
 * systemctl: units active, failed, activating and hung (a 1 s timeout makes
 * it "unknown"), a unit named like an HTML injection, journal lines from a
 * fake journalctl (one holding HTML), a DNS probe to a closed port, a peer that never answers, and a peer (itself a daemon with
 * an api_key) that answers and is then stopped, so it turns stale.
 *
 * Everything is asserted as a user sees it: text on the page, requests the
 * page makes, no console errors and no dialogs. Screenshots (1280 px and
 * 375 px) go to test-artifacts/browser/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page, Request } from 'playwright-core';
import { eventually, startDaemonProcess, tempDir, type DaemonProcess } from '../helpers/daemon.js';
import {
  ARTIFACTS_DIR,
  browserGate,
  closedPort,
  fullScreenshot,
  launchChromium,
  painted,
  serveHtmlPage,
  watchPage,
  type PageWatch,
  type StaticSite,
} from '../helpers/browser.js';
import { makeFakeBin, type FakeBin } from '../workers/fake-bin.js';

const FAKE_JOURNALCTL = fileURLToPath(new URL('../../../test/fixtures/fake-journalctl', import.meta.url));
const XSS_UNIT = '<img src=x onerror=alert(1)>';
const XSS_PEER = 'Offsite <img src=y onerror=alert(2)>';
const BACKUP_KEY = 'backup-secret-key';
/** Chromium logs every 401 answer as a console error; the 401 page provokes them on purpose. */
const EXPECTED_401 = /status of 401/;
/** Generous: a slow CI machine must not fail a test that would pass. */
const WAIT = 30_000;

const gate = browserGate();

if (!gate.run) {
  // Skipped on a developer's machine without chromium; under CI (which installs it) a failure.
  test('Debian chromium is installed for the browser tests', { skip: gate.required ? false : gate.reason }, () => {
    assert.fail(gate.reason);
  });
}

describe('dashboard in a real browser', { concurrency: false, timeout: 240_000, skip: gate.run ? false : gate.reason }, () => {
  let bin: FakeBin;
  let main: DaemonProcess;
  let backup: DaemonProcess | undefined;
  let embed: StaticSite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageWatch: PageWatch;
  let mainHeaders: Record<string, string> = {};
  const watches: Array<[string, PageWatch]> = [];
  let probePort = 0;

  /** A fresh page in its own context (own storage), watched for errors and dialogs. */
  const openPage = async (name: string, allowed: RegExp[] = []): Promise<{ page: Page; context: BrowserContext; watch: PageWatch }> => {
    const ctx = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      locale: 'en-US',
      timezoneId: 'UTC',
      colorScheme: 'dark',
    });
    const p = await ctx.newPage();
    p.setDefaultTimeout(WAIT);
    const watch = watchPage(p, allowed);
    watches.push([name, watch]);
    return { page: p, context: ctx, watch };
  };

  const card = (p: Page, name: string): Locator => p.locator('jm-node-card').filter({ has: p.locator('h2', { hasText: name }) });
  const row = (p: Page, name: string): Locator => p.locator('jm-unit-row').filter({ has: p.locator('.name', { hasText: name }) });
  /** The text as rendered (innerText keeps the breaks between laid-out boxes), whitespace collapsed. */
  const text = async (l: Locator): Promise<string> => (await l.innerText()).replace(/\s+/g, ' ').trim();
  /** One element's own text, before CSS (badges are shown upper-cased). */
  const word = async (l: Locator): Promise<string> => ((await l.textContent()) ?? '').trim();
  /** The dashboard's poll: the summary of every node, then the rows of the open ones. */
  const summaryRequest = (range: string) => (r: Request) => {
    const u = new URL(r.url());
    return u.pathname === '/api/cluster/summary' && u.searchParams.get('range') === range;
  };
  const rowsRequest = (nodeId: string) => (r: Request) => new URL(r.url()).pathname === `/api/cluster/node/${nodeId}`;

  before(async () => {
    bin = await makeFakeBin();
    symlinkSync(FAKE_JOURNALCTL, join(bin.dir, 'journalctl'));
    embed = await serveHtmlPage();
    probePort = await closedPort();
    const downPeerPort = await closedPort();

    backup = await startDaemonProcess({
      dir: tempDir('jm-browser-backup-'),
      pathPrepend: [bin.dir],
      config: {
        interval_minutes: 0.05,
        data_directory: 'data',
        node_id: 'backup',
        node_name: 'Backup node',
        api_key: BACKUP_KEY,
        targets: [{ id: 'backup-job', name: 'Backup job', service: 'ok-backup.service', timeout_seconds: 2 }],
      },
    });

    main = await startDaemonProcess({
      dir: tempDir('jm-browser-main-'),
      pathPrepend: [bin.dir],
      hooks: { minPeerRefreshSeconds: 1 },
      config: {
        interval_minutes: 0.05, // a sample every 3 s
        data_directory: 'data',
        node_id: 'main-node',
        node_name: 'Main node',
        peer_refresh_seconds: 1,
        journal_lines: 3,
        cors_origins: [embed.origin],
        monitor_dns: { enabled: true, target: `127.0.0.1:${probePort}`, interval_seconds: 1, timeout_seconds: 1 },
        targets: [
          { id: 'web', name: 'Web server', service: 'ok-web.service', timeout_seconds: 2, url: 'https://status.example.invalid/web' },
          { id: 'db', name: 'Database', service: 'bad-db.service', timeout_seconds: 2 },
          { id: 'queue', name: 'Queue worker', service: 'activating-queue.service', timeout_seconds: 2 },
          // Its own timeout, so the hung call does not hold the other units' batch.
          { id: 'nfs', name: 'NFS mount', service: 'hang-nfs.service', timeout_seconds: 1 },
          // The name is display text only; the unit itself has a valid name.
          { id: 'xss', name: XSS_UNIT, service: 'bad-xss.service', timeout_seconds: 2 },
        ],
        peers: [
          { id: 'offsite', name: XSS_PEER, base_url: `http://127.0.0.1:${downPeerPort}` },
          { id: 'backup', name: 'Backup node', base_url: backup.url, api_key: BACKUP_KEY },
        ],
      },
    });

    // Setup, not an assertion: the page is opened once every part has data.
    await eventually(async () => {
      const r = await main.get('/api/cluster?range=24h');
      const nodes = (r.body?.nodes ?? []) as Array<{ node: { id: string }; status?: { checks: Array<{ id: string; state?: string }> }; services: unknown[]; error?: string; connectivity?: unknown }>;
      const local = nodes.find((n) => n.node.id === 'main-node');
      const checks = local?.status?.checks ?? [];
      return (
        checks.length === 5 &&
        checks.find((c) => c.id === 'nfs')?.state === 'unknown' &&
        local?.connectivity !== undefined &&
        nodes.find((n) => n.node.id === 'offsite')?.error !== undefined &&
        (nodes.find((n) => n.node.id === 'backup')?.services.length ?? 0) > 0
      );
    }, WAIT, "the daemon's first samples, probe and peer syncs").catch((err: unknown) => {
      throw new Error(`${String(err)}\ndaemon log:\n${main.logs()}`);
    });

    browser = await launchChromium();
    ({ page, context, watch: pageWatch } = await openPage('dashboard'));
    const res = await page.goto(`${main.url}/`);
    assert.ok(res, 'navigation to the dashboard produced no response');
    mainHeaders = res.headers();
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await embed?.close();
    await main?.stop();
    await backup?.stop();
    await bin?.cleanup();
    for (const d of [main, backup]) if (d) await rm(d.dir, { recursive: true, force: true });
  });

  test('shows a card per node: local first, then the peers, with their state', async () => {
    await page.locator('jm-node-card').nth(2).waitFor();
    assert.equal(await page.locator('jm-node-card').count(), 3);
    assert.equal(await text(page.locator('jm-dashboard h1')), 'System Status');

    const local = card(page, 'Main node');
    const localText = await text(local.locator('header'));
    assert.match(localText, /local/i);
    assert.match(localText, /ID: main-node/);
    assert.match(localText, /\d+\.\d\d% uptime/);
    assert.match(await text(local.locator('.meta')), /Services 5 Last sync .+ Latest sample .+\d/);

    const peer = card(page, 'Backup node');
    assert.match(await text(peer.locator('header')), /peer.*ID: backup/i);
    assert.match(await text(peer.locator('.meta')), /Services 1/);

    // A peer never reached is an error, not old data.
    const down = card(page, 'Offsite');
    const downHead = await text(down.locator('header'));
    assert.match(downHead, /peer/i);
    assert.match(downHead, /sync error/i);
    assert.doesNotMatch(downHead, /stale/i);
    assert.match(await text(down.locator('.meta')), /Services 0 Last attempt .+ Latest sample none yet/);
    const downSync = await text(down.locator('.sync'));
    assert.match(downSync, /^Sync error\. status fetch failed: connection refused/);
    assert.match(downSync, /No data received from this peer yet/);
  });

  test('shows each unit with its name, state, uptime and checks', async () => {
    const expected: Array<[string, string, RegExp]> = [
      ['Web server', 'active', /^100\.00%$/],
      ['Database', 'failed', /^0\.00%$/],
      ['Queue worker', 'activating', /^\d+\.\d\d%$/],
      ['NFS mount', 'unknown', /^0\.00%$/],
      [XSS_UNIT, 'failed', /^0\.00%$/],
      ['Backup job', 'active', /^100\.00%$/],
    ];
    for (const [name, state, uptime] of expected) {
      const r = row(page, name);
      await r.waitFor();
      assert.equal(await word(r.locator('.badge')), state, `state of ${name}`);
      assert.match(await text(r.locator('.uptime')), uptime, `uptime of ${name}`);
      assert.match(await text(r.locator('dl')), /Checks \d+ \(\d+\/\d+\)/, `checks of ${name}`);
    }
    // A target with a url is a link that opens elsewhere; the others are plain text.
    assert.equal(await row(page, 'Web server').locator('a.name').getAttribute('href'), 'https://status.example.invalid/web');
    assert.equal(await row(page, 'Database').locator('a').count(), 0);
    // Failing units say why, where the user looks.
    assert.match(await text(row(page, 'NFS mount').locator('.problem')), /timed out after 1s/);
    // The DNS probe to a closed port is offline, with the error.
    const probe = card(page, 'Main node').locator('jm-probe');
    assert.match(await text(probe.locator('.line')), new RegExp(`DNS probe 127\\.0\\.0\\.1:${probePort} offline Online \\d+\\.\\d\\d%`, 'i'));
    assert.match(await text(probe.locator('.err')), /connection refused/);
  });

  test('a unit that is not ok shows what systemd knows, and its journal lines on demand', async () => {
    const db = row(page, 'Database');
    await db.waitFor();
    const facts = await text(db.locator('.facts'));
    assert.match(facts, /^failed \(failed\) · result exit-code · since .+ \(for .+\) · 3 restarts$/);
    // The error of a timed-out check still says why; a starting unit shows its sub-state.
    assert.match(await text(row(page, 'NFS mount').locator('.facts')), /^timed out after 1s/);
    assert.match(await text(row(page, 'Queue worker').locator('.facts')), /^activating \(start-pre\)/);

    // The journal lines sit behind a disclosure, closed at first.
    const summary = db.getByText('Journal · last 3 lines', { exact: true });
    const lines = db.locator('.journal pre');
    assert.equal(await lines.isVisible(), false);
    await summary.click();
    await lines.waitFor({ state: 'visible' });
    assert.equal(await db.locator('details.journal').getAttribute('open'), '');
    // Untrusted text: the markup in a log line is shown, never rendered.
    const shown = ((await lines.textContent()) ?? '').split('\n');
    assert.deepEqual(shown, [
      '2026-11-28T10:36:00+0000 host bad-db[41]: <b>bad</b> value & "quote"',
      '2026-11-28T10:36:01+0000 host bad-db[41]: fatal: cannot bind',
      "2026-11-28T10:36:02+0000 host systemd[1]: bad-db.service: Failed with result 'exit-code'.",
    ]);
    assert.equal(await db.locator('b').count(), 0);
    // It stays open across the next poll (the user is reading it).
    const polled = Promise.all([
      page.waitForResponse((r) => summaryRequest('24h')(r.request())),
      page.waitForResponse((r) => rowsRequest('main-node')(r.request())),
    ]);
    await page.locator('jm-dashboard button.refresh').click();
    await polled;
    await painted(page);
    assert.equal(await lines.isVisible(), true);

    // An ok unit shows nothing extra; its badge tells the sub-state and since when on hover.
    const web = row(page, 'Web server');
    assert.equal(await web.locator('.problem').count(), 0);
    assert.equal(await web.locator('details').count(), 0);
    assert.match((await web.locator('.badge').getAttribute('title')) ?? '', /^active \(running\) · since .+\d/);
  });

  test('lists the incidents: failing units, the probe failure and the peer sync error', async () => {
    const items = page.locator('jm-incidents li');
    await items.first().waitFor();
    const all = await items.allInnerTexts();
    const entries = all.map((t) => t.replace(/\s+/g, ' ').trim());
    const find = (title: string) => entries.find((e) => e.startsWith(title));
    const expected: Array<[string, RegExp]> = [
      ['Main node / Database', /Database failed Since .+ \(for .+\)/],
      ['Main node / Queue worker', /Queue worker activating Since/],
      ['Main node / NFS mount', /unknown - timed out after 1s Since/],
      [`Main node / ${XSS_UNIT}`, /failed Since/],
      ['Main node - connectivity', /connection refused Since/],
      [`${XSS_PEER} - sync error`, /connection refused.* No successful sync yet/],
    ];
    for (const [title, detail] of expected) {
      const entry = find(title);
      assert.ok(entry, `incident "${title}" missing from:\n${entries.join('\n')}`);
      assert.match(entry, detail, title);
    }
    assert.equal(entries.length, expected.length, `incidents:\n${entries.join('\n')}`);
    assert.equal(await text(page.locator('jm-incidents .count')), `${expected.length} items need attention`);
    assert.equal(await text(page.locator('jm-dashboard .overall')), `${expected.length} incidents`);
  });

  test('the range toggle loads 30 days and back to 24 hours', async () => {
    const sub = page.locator('jm-dashboard header .sub');
    await sub.filter({ hasText: 'Last 24 hours' }).waitFor();
    const to30 = page.getByRole('button', { name: '30 days', exact: true });
    const to24 = page.getByRole('button', { name: '24 h', exact: true });
    assert.equal(await to24.getAttribute('aria-pressed'), 'true');

    const asked30 = page.waitForResponse((r) => summaryRequest('30d')(r.request()));
    await to30.click();
    assert.equal((await asked30).status(), 200);
    await sub.filter({ hasText: 'Last 30 days' }).waitFor();
    assert.equal(await to30.getAttribute('aria-pressed'), 'true');
    assert.equal(await to24.getAttribute('aria-pressed'), 'false');
    assert.match(page.url(), /30d/, 'the chosen range is kept in the address');
    await row(page, 'Database').waitFor(); // the units stay on screen

    // And back with the keyboard.
    const asked24 = page.waitForResponse((r) => summaryRequest('24h')(r.request()));
    await to24.press('Enter');
    // The 24 h answers are kept from before the switch and asked again with If-None-Match:
    // 200 when a sample came in meanwhile, 304 when not (docs/dashboard.md, "Switching the range").
    assert.ok([200, 304].includes((await asked24).status()));
    await sub.filter({ hasText: 'Last 24 hours' }).waitFor();
    assert.equal(await to24.getAttribute('aria-pressed'), 'true');
    await row(page, 'Database').waitFor();
  });

  test('a unit and a peer named like HTML show as text and run nothing', async () => {
    const name = row(page, XSS_UNIT).locator('.name');
    assert.equal(await text(name), XSS_UNIT);
    assert.equal(await text(card(page, 'Offsite').locator('h2 > span').first()), XSS_PEER);
    // Locators pierce shadow roots: no <img> anywhere in the components.
    assert.equal(await page.locator('img').count(), 0);
    // Give an injected onerror every chance to fire: hover and focus the unit's timeline.
    const track = row(page, XSS_UNIT).locator('.track');
    await track.hover();
    await page.locator('jm-timeline .tip').first().waitFor();
    await track.focus();
    await page.keyboard.press('ArrowLeft');
    await painted(page);
    assert.deepEqual(pageWatch.dialogs, []);
  });

  test('the page is served with the CSP and security headers', () => {
    const csp = mainHeaders['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(mainHeaders['x-content-type-options'], 'nosniff');
    assert.ok(mainHeaders['referrer-policy'], 'Referrer-Policy');
  });

  test('a node with an api_key asks for the key, and the right key shows the data', async () => {
    const { page: p, context: ctx } = await openPage('api key', [EXPECTED_401]);
    try {
      await p.goto(`${backup!.url}/`);
      const input = p.locator('jm-api-key-form input[name=key]');
      await input.waitFor();
      assert.match(await text(p.locator('jm-dashboard .banner')), /needs an API key \(HTTP 401\)/);
      await fullScreenshot(p, join(ARTIFACTS_DIR, 'api-key-1280.png'));

      await input.fill('not-the-key');
      await p.getByRole('button', { name: 'Use key' }).click();
      await p.locator('jm-api-key-form', { hasText: 'The stored key was rejected' }).waitFor();

      await input.fill(BACKUP_KEY);
      await p.getByRole('button', { name: 'Use key' }).click();
      const r = row(p, 'Backup job');
      await r.waitFor();
      assert.equal(await word(r.locator('.badge')), 'active');
      // Rows are painted batch by batch as they arrive; the banner goes once the take-in is done.
      await p.locator('jm-dashboard .banner').waitFor({ state: 'detached' });
      assert.equal(await p.locator('jm-dashboard .banner').count(), 0, 'the key banner goes away');
    } finally {
      await ctx.close();
    }
  });

  test('a peer that stops answering turns stale and keeps its last data', async () => {
    await backup!.stop();
    const peer = card(page, 'Backup node');
    const refresh = page.locator('jm-dashboard button.refresh');
    // The page polls every 30 s; a user in a hurry presses Refresh until the node notices.
    const deadline = Date.now() + WAIT;
    while ((await peer.locator('.badge', { hasText: 'stale' }).count()) === 0) {
      assert.ok(Date.now() < deadline, `the stopped peer never showed as stale:\n${main.logs().slice(-2000)}`);
      await refresh.click();
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(await text(peer.locator('header')), /stale/i);
    const sync = await text(peer.locator('.sync'));
    assert.match(sync, /^Stale data\. status fetch failed/);
    assert.match(await text(peer.locator('.meta')), /Last attempt/);
    assert.match(sync, /Last successful sync/);
    assert.match(sync, /Showing the last data received/);
    await row(page, 'Backup job').waitFor(); // the last data is still shown
    await page.locator('jm-incidents li', { hasText: /^\s*Backup node - (sync error|stale data)/ }).waitFor();
  });

  test('another site on 127.0.0.1 embeds a node card with one script tag', async () => {
    embed.setPage(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Another site</title>
<link rel="icon" href="${main.url}/favicon.svg" type="image/svg+xml">
<script type="module" src="${main.url}/dist/jobmonitor.js"></script></head>
<body><h1>Our intranet</h1>
<jm-node-card base-url="${main.url}" node-id="main-node"></jm-node-card>
</body></html>`);
    const { page: p, context: ctx, watch } = await openPage('embed');
    try {
      await p.goto(`${embed.origin}/`);
      const cardOnSite = p.locator('jm-node-card');
      try {
        await row(p, 'Database').waitFor();
      } catch (err) {
        throw new Error(`the embedded card did not show the units; page problems: ${JSON.stringify(watch.errors)}; card says: ${await text(cardOnSite)}`, { cause: err });
      }
      assert.match(await text(cardOnSite.locator('header')), /Main node.*local.*ID: main-node/i);
      assert.equal(await word(row(p, 'Database').locator('.badge')), 'failed');
      await fullScreenshot(p, join(ARTIFACTS_DIR, 'embed-1280.png'));
    } finally {
      await ctx.close();
    }
  });

  test('screenshots: wide and phone width, dark, nothing wider than the screen', async () => {
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await painted(page);
      await row(page, 'Database').waitFor();
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(overflow <= width, `the page is ${overflow} px wide on a ${width} px screen`);
      const background = String(await page.evaluate('getComputedStyle(document.body).backgroundColor'));
      const [r = 255, g = 255, b = 255] = (background.match(/\d+/g) ?? []).map(Number);
      assert.ok(r + g + b < 120, `the page background is dark (${background})`);
      await fullScreenshot(page, join(ARTIFACTS_DIR, `dashboard-${width}.png`));
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('no console errors, page errors or dialogs on any page', () => {
    const problems = watches.flatMap(([name, w]) => [...w.errors, ...w.dialogs.map((d) => `dialog ${d}`)].map((p) => `[${name}] ${p}`));
    assert.deepEqual(problems, []);
  });
});

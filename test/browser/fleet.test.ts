/**
 * The dashboard over a fleet, in a real browser (Debian's chromium via
 * playwright-core) against four real daemon processes on 127.0.0.1: a main
 * node with 300 units (two of them failing) listing three peers in an order
 * that is not alphabetical — gamma (healthy), alpha (healthy), beta (one
 * failing unit). Four nodes is a large cluster: nodes start folded, showing
 * only their units with problems.
 *
 * Asserted as a user sees it: the node summary, folding, a row far down a
 * virtual list reached by scrolling and read, a link and an event that lead
 * to a row, "Only problems", and the view kept in the address.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { eventually, startDaemonProcess, tempDir, type DaemonProcess } from '../helpers/daemon.js';
import { ARTIFACTS_DIR, browserGate, launchChromium, painted, watchPage, type PageWatch } from '../helpers/browser.js';
import { makeFakeBin, type FakeBin } from '../workers/fake-bin.js';

const WAIT = 30_000;
const MAIN_UNITS = 300;
/** Failing units of the main node: one near the top, one far down its list. */
const FAILING = new Set([5, 287]);

const gate = browserGate();

if (!gate.run) {
  test('Debian chromium is installed for the browser tests', { skip: gate.required ? false : gate.reason }, () => {
    assert.fail(gate.reason);
  });
}

const pad = (i: number): string => String(i).padStart(3, '0');

function mainTargets(): Array<Record<string, unknown>> {
  return Array.from({ length: MAIN_UNITS }, (_, i) => ({
    id: `svc-${pad(i)}`,
    name: `Service ${pad(i)}`,
    service: `${FAILING.has(i) ? 'bad' : 'ok'}-svc-${pad(i)}.service`,
    timeout_seconds: 10,
  }));
}

describe('dashboard over a fleet', { concurrency: false, timeout: 300_000, skip: gate.run ? false : gate.reason }, () => {
  let bin: FakeBin;
  let main: DaemonProcess;
  const peers: DaemonProcess[] = [];
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const watches: PageWatch[] = [];

  const openPage = async (hash = '', beforeLoad?: (p: Page) => void, allowed: readonly RegExp[] = []): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'dark' });
    contexts.push(ctx);
    const p = await ctx.newPage();
    p.setDefaultTimeout(WAIT);
    watches.push(watchPage(p, allowed));
    beforeLoad?.(p);
    await p.goto(`${main.url}/${hash}`);
    await p.locator('jm-fleet-summary tbody tr').nth(3).waitFor();
    return p;
  };

  const card = (p: Page, name: string): Locator => p.locator('jm-node-card').filter({ has: p.locator('h2', { hasText: name }) });
  const row = (p: Page, name: string): Locator => p.locator('jm-unit-row').filter({ has: p.locator('.name', { hasText: name }) });
  const text = async (l: Locator): Promise<string> => (await l.innerText()).replace(/\s+/g, ' ').trim();
  /** One element's own text, before CSS (badges are shown upper-cased). */
  const word = async (l: Locator): Promise<string> => ((await l.textContent()) ?? '').trim();
  const inViewport = async (p: Page, l: Locator): Promise<boolean> => {
    const box = await l.boundingBox();
    const vp = p.viewportSize()!;
    return box !== null && box.y >= 0 && box.y + box.height <= vp.height;
  };
  const hashParams = (p: Page): URLSearchParams => new URLSearchParams(new URL(p.url()).hash.slice(1));

  before(async () => {
    bin = await makeFakeBin();
    const peer = async (id: string, name: string, services: string[]): Promise<DaemonProcess> => {
      const d = await startDaemonProcess({
        dir: tempDir(`jm-fleet-${id}-`),
        pathPrepend: [bin.dir],
        config: {
          interval_minutes: 0.5,
          data_directory: 'data',
          node_id: id,
          node_name: name,
          targets: services.map((s, i) => ({ id: `${id}-${i}`, name: `${name} job ${i}`, service: s, timeout_seconds: 5 })),
        },
      });
      peers.push(d);
      return d;
    };
    const gamma = await peer('gamma', 'Gamma', ['ok-g0.service', 'ok-g1.service']);
    const alpha = await peer('alpha', 'Alpha', ['ok-a0.service', 'ok-a1.service', 'ok-a2.service']);
    const beta = await peer('beta', 'Beta', ['ok-b0.service', 'bad-b1.service']);
    main = await startDaemonProcess({
      dir: tempDir('jm-fleet-main-'),
      pathPrepend: [bin.dir],
      hooks: { minPeerRefreshSeconds: 1 },
      config: {
        interval_minutes: 0.5,
        data_directory: 'data',
        node_id: 'main',
        node_name: 'Main',
        peer_refresh_seconds: 1,
        targets: mainTargets(),
        peers: [
          { id: 'gamma', name: 'Gamma', base_url: gamma.url },
          { id: 'alpha', name: 'Alpha', base_url: alpha.url },
          { id: 'beta', name: 'Beta', base_url: beta.url },
        ],
      },
    });
    // Setup, not an assertion: the page is opened once every node has data.
    await eventually(async () => {
      const r = await main.get('/api/cluster?range=24h');
      const nodes = (r.body?.nodes ?? []) as Array<{ node: { id: string }; status?: { checks: unknown[] }; services: unknown[] }>;
      return nodes.length === 4 && nodes.every((n) => (n.status?.checks.length ?? 0) > 0 && n.services.length > 0);
    }, WAIT, 'every node of the fleet has a sample').catch((err: unknown) => {
      throw new Error(`${String(err)}\nmain log:\n${main.logs().slice(-3000)}`);
    });
    browser = await launchChromium();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    for (const d of [main, ...peers]) {
      if (!d) continue;
      await d.stop();
      await rm(d.dir, { recursive: true, force: true });
    }
    await bin?.cleanup();
  });

  test('the summary lists every node in config order with its units by state, uptime and sync', async () => {
    const p = await openPage();
    const lines = (await p.locator('jm-fleet-summary tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^Main local 300 298 ok 2 failing 9\d\.\d\d% 2$/i);
    assert.match(lines[1]!, /^Gamma in sync 2 2 ok 100\.00% none$/i);
    assert.match(lines[2]!, /^Alpha in sync 3 3 ok 100\.00% none$/i);
    assert.match(lines[3]!, /^Beta in sync 2 1 ok 1 failing 50\.00% 1$/i);
    assert.match(await text(p.locator('jm-fleet-summary .count')), /^4 nodes · 2 with problems$/);
    // The cards follow the same order.
    const titles = await p.locator('jm-node-card h2 > span:first-child').allInnerTexts();
    assert.deepEqual(titles, ['Main', 'Gamma', 'Alpha', 'Beta']);
  });

  test('in a large cluster nodes start folded: a healthy node is one header, the others show only their problems', async () => {
    const p = await openPage();
    const toggle = (name: string) => card(p, name).getByRole('button', { name: new RegExp(`the units of ${name}$`) });
    for (const name of ['Main', 'Gamma', 'Alpha', 'Beta']) assert.equal(await toggle(name).getAttribute('aria-expanded'), 'false', name);
    assert.equal(await card(p, 'Gamma').locator('jm-unit-row').count(), 0);
    assert.equal(await card(p, 'Alpha').locator('jm-unit-row').count(), 0);
    // Folded, a node with problems still lists them, and says what it folded.
    await row(p, 'Beta job 1').waitFor();
    assert.equal(await card(p, 'Beta').locator('jm-unit-row').count(), 1);
    await row(p, 'Service 005').waitFor();
    assert.equal(await card(p, 'Main').locator('jm-unit-row').count(), 2);
    assert.match(await text(card(p, 'Main').locator('.note')), /^298 units without problems folded \(300 in total\)\.$/);
    assert.equal(hashParams(p).getAll('open').length, 0, 'the defaults are not written into the address');

    await p.getByRole('button', { name: 'Expand all' }).click();
    await row(p, 'Gamma job 1').waitFor();
    await row(p, 'Alpha job 2').waitFor();
    await row(p, 'Service 000').waitFor();
    assert.deepEqual(hashParams(p).getAll('open'), ['main', 'gamma', 'alpha', 'beta']);

    await p.getByRole('button', { name: 'Collapse all' }).click();
    await painted(p);
    assert.equal(await card(p, 'Gamma').locator('jm-unit-row').count(), 0);
    assert.equal(await p.locator('jm-unit-row').count(), 3, 'only the three units with problems');
    assert.deepEqual(hashParams(p).getAll('open'), [''], 'the address says no node is open');

    // One card by hand.
    await toggle('Alpha').click();
    await row(p, 'Alpha job 2').waitFor();
    assert.equal(await toggle('Alpha').getAttribute('aria-expanded'), 'true');
    assert.deepEqual(hashParams(p).getAll('open'), ['alpha']);
  });

  test('a large node renders only the rows near the view, and a row far down is reached by scrolling and read', async () => {
    const p = await openPage('#open=main');
    const mainCard = card(p, 'Main');
    assert.match(await text(mainCard.locator('.meta')), /Services 300/);
    await row(p, 'Service 000').waitFor();
    const rendered = await mainCard.locator('jm-unit-row').count();
    assert.ok(rendered > 0 && rendered < 100, `${rendered} of 300 rows are in the DOM`);

    // Scroll as a user does, until the row shows up.
    const target = row(p, 'Service 287');
    for (let i = 0; i < 60 && !((await target.count()) > 0 && (await inViewport(p, target))); i++) {
      await p.mouse.wheel(0, 1200);
      await painted(p);
    }
    assert.ok(await inViewport(p, target), 'Service 287 scrolled into view');
    assert.equal(((await target.locator('.badge').textContent()) ?? '').trim(), 'failed');
    assert.match(await text(target.locator('.facts')), /^failed \(failed\) · result exit-code/);
    assert.match(await text(target.locator('.id')), /ID: svc-287/);
    assert.ok((await mainCard.locator('jm-unit-row').count()) < 100, 'rows scrolled past leave the DOM');
  });

  test("the page reads the compact feed: every node briefly, a node's rows once opened and asked again with If-None-Match, none once folded", async () => {
    const asked: Array<{ path: string; ifNoneMatch: string | undefined }> = [];
    const p = await openPage('', (page) => {
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname.startsWith('/api/')) asked.push({ path: u.pathname, ifNoneMatch: r.headers()['if-none-match'] });
      });
    });
    type Page_ = { document: { querySelector(s: string): { poller: { loading: boolean } } } };
    const idle = () => eventually(() => p.evaluate(() => !(globalThis as unknown as Page_).document.querySelector('jm-dashboard').poller.loading), WAIT, 'the poll ended');
    await idle();
    assert.ok(asked.some((a) => a.path === '/api/cluster/summary'));
    assert.deepEqual(asked.filter((a) => a.path !== '/api/cluster/summary' && a.path !== '/api/incidents'), [], 'nothing open: no rows asked, no /api/cluster');
    // A folded node's problem far down its list comes complete with the summary: state, facts, timeline.
    const failing = row(p, 'Service 287');
    assert.equal(await word(failing.locator('.badge')), 'failed');
    assert.match(await text(failing.locator('.facts')), /^failed \(failed\) · result exit-code/);
    assert.match((await failing.locator('jm-timeline [role=img]').getAttribute('aria-label')) ?? '', /^Service 287: timeline of 80 periods/);

    const alphaRows = () => asked.filter((a) => a.path === '/api/cluster/node/alpha');
    const firstRows = p.waitForResponse((r) => new URL(r.url()).pathname === '/api/cluster/node/alpha');
    const toggle = card(p, 'Alpha').getByRole('button', { name: /the units of Alpha$/ });
    await toggle.click();
    const etag = (await firstRows).headers()['etag'];
    assert.ok(etag, 'the rows come with an ETag');
    const healthy = row(p, 'Alpha job 2');
    await healthy.locator('jm-timeline [role=img]').waitFor();
    assert.equal(await word(healthy.locator('.badge')), 'active');
    assert.match(await text(healthy.locator('dl')), /Uptime 100\.00%/);

    await idle();
    const polled = p.waitForRequest((r) => new URL(r.url()).pathname === '/api/cluster/node/alpha');
    await p.locator('jm-dashboard button.refresh').click();
    const next = await polled;
    assert.equal(next.headers()['if-none-match'], etag, 'the next poll asks only for what changed');
    assert.equal(new URL(next.url()).searchParams.get('since'), etag.replace(/^"|"$/g, '').replace(/-gz$/, ''), '... since the rows it holds');
    await idle();

    await toggle.click();
    await painted(p);
    assert.equal(await card(p, 'Alpha').locator('jm-unit-row').count(), 0);
    await idle();
    const before = alphaRows().length;
    const summaryPolled = p.waitForResponse((r) => new URL(r.url()).pathname === '/api/cluster/summary');
    await p.locator('jm-dashboard button.refresh').click();
    await summaryPolled;
    await idle();
    assert.equal(alphaRows().length, before, 'a folded node costs no rows');
  });

  test("an open node's rows are kept up to date by deltas: what the page holds is what a full request gives", async () => {
    const p = await openPage();
    type Detail = { generated_at: string; units: unknown[] } | null;
    type Dash = { poller: { data: { nodes: Array<{ summary: { node: { id: string } }; detail: Detail }> } } };
    const deltas: number[] = [];
    p.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname !== '/api/cluster/node/alpha' || !u.searchParams.has('since') || r.status() !== 200) return;
      // A value every unit shares (the sample's time, its counts when all are healthy) comes once, in `every`.
      void r.json().then((b: { changes?: unknown[]; every?: object }) => void (b.changes !== undefined && deltas.push(b.changes.length + (b.every ? 1 : 0)))).catch(() => undefined);
    });
    await card(p, 'Alpha').getByRole('button', { name: /the units of Alpha$/ }).click();
    await row(p, 'Alpha job 2').locator('jm-timeline [role=img]').waitFor();
    // Alpha samples every 30 s: poll until a delta with changed rows has been taken in.
    await eventually(async () => {
      await p.locator('jm-dashboard button.refresh').click();
      await p.waitForTimeout(1000);
      return deltas.some((n) => n > 0);
    }, 120_000, 'a delta with changed rows');
    // Setup retried, the assertion is the comparison: the page's rows against a full request of the same version.
    const same = await eventually(async () => {
      const r = await p.evaluate(async () => {
        const dash = (globalThis as unknown as { document: { querySelector(s: string): Dash } }).document.querySelector('jm-dashboard');
        const held = dash.poller.data.nodes.find((n) => n.summary.node.id === 'alpha')!.detail;
        const full = (await (await fetch('/api/cluster/node/alpha?range=24h')).json()) as Detail;
        return { held, full };
      });
      return r.held?.generated_at === r.full?.generated_at ? r : undefined;
    }, WAIT, 'the page and a full request at the same version');
    assert.deepEqual(same.held, same.full);
  });

  test("the range toggle shows the other range's rows, and switching back asks the 24 h ones again only for what changed", async () => {
    const asked: Array<{ path: string; range: string | null; since: string | null; ifNoneMatch: string | undefined }> = [];
    const p = await openPage('#open=alpha', (page) => {
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname.startsWith('/api/cluster')) asked.push({ path: u.pathname, range: u.searchParams.get('range'), since: u.searchParams.get('since'), ifNoneMatch: r.headers()['if-none-match'] });
      });
    });
    type Detail = { generated_at: string; range: string; units: Array<{ id: string; timeline?: string }> } | null;
    type Dash = { poller: { loading: boolean; data: { range: string; nodes: Array<{ summary: { node: { id: string } }; detail: Detail }> } } };
    /** The alpha rows the page holds beside a full request of the same range at the same version. */
    const heldAndFull = (range: string) =>
      eventually(async () => {
        const r = await p.evaluate(async (rg) => {
          const dash = (globalThis as unknown as { document: { querySelector(s: string): Dash } }).document.querySelector('jm-dashboard');
          if (dash.poller.loading || dash.poller.data.range !== rg) return null;
          const held = dash.poller.data.nodes.find((n) => n.summary.node.id === 'alpha')!.detail;
          const full = (await (await fetch(`/api/cluster/node/alpha?range=${rg}`)).json()) as Detail;
          return { held, full };
        }, range);
        return r && r.held?.generated_at === r.full?.generated_at ? r : undefined;
      }, WAIT, `the page and a full request of ${range} at the same version`);
    const periods = async () => (await row(p, 'Alpha job 2').locator('jm-timeline [role=img]').getAttribute('aria-label')) ?? '';
    await row(p, 'Alpha job 2').locator('jm-timeline [role=img]').waitFor();
    await heldAndFull('24h');
    const label24 = await periods();

    await p.getByRole('button', { name: '30 days', exact: true }).click();
    await p.locator('jm-dashboard header .sub').filter({ hasText: 'Last 30 days' }).waitFor();
    const month = await heldAndFull('30d');
    assert.deepEqual(month.held, month.full, "the page holds the 30-day rows a full request gives");
    const job2 = month.full!.units.find((u) => u.id === 'alpha-2')!;
    // The label names the timeline's span: 30 days of buckets, not the 24 hours shown before.
    await eventually(async () => {
      const label = await periods();
      return label !== label24 && label.startsWith(`Alpha job 2: timeline of ${job2.timeline!.length} periods`);
    }, WAIT, 'the row shows the 30-day timeline');

    const mark = asked.length;
    await p.getByRole('button', { name: '24 h', exact: true }).click();
    await p.locator('jm-dashboard header .sub').filter({ hasText: 'Last 24 hours' }).waitFor();
    const back = await heldAndFull('24h');
    assert.deepEqual(back.held, back.full, 'back on 24 h: the rows a full request gives');
    const again = asked.slice(mark).filter((a) => a.range === '24h');
    const summary = again.find((a) => a.path === '/api/cluster/summary');
    const rows = again.find((a) => a.path === '/api/cluster/node/alpha');
    assert.ok(summary?.ifNoneMatch, 'the 24 h summary held is asked again with its ETag');
    assert.ok(rows?.since, 'the 24 h rows held are asked again for what changed since them');
    await eventually(async () => (await periods()).startsWith(`Alpha job 2: timeline of ${back.full!.units.find((u) => u.id === 'alpha-2')!.timeline!.length} periods`), WAIT, 'the row shows the 24-hour timeline again');
  });

  test('a node without the feed (an older version: 404) is read through /api/cluster and shows the same', async () => {
    const asked: string[] = [];
    const p = await openPage('#open=beta', (page) => {
      page.on('request', (r) => asked.push(new URL(r.url()).pathname));
      void page.route(/\/api\/cluster\/summary/, (route) =>
        route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: { message: 'not found', code: 'not_found' } }) }),
      );
    }, [/404/]);
    const lines = (await p.locator('jm-fleet-summary tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.match(lines[3]!, /^Beta in sync 2 1 ok 1 failing 50\.00% 1$/i);
    const healthy = row(p, 'Beta job 0');
    await healthy.locator('jm-timeline [role=img]').waitFor();
    assert.equal(await word(healthy.locator('.badge')), 'active');
    assert.equal(await word(row(p, 'Service 287').locator('.badge')), 'failed');
    assert.deepEqual(asked.filter((a) => a.startsWith('/api/cluster/node/')), [], 'no rows asked of a node that has no feed');
  });

  test('a link #unit=<node>/<unit> opens the node and brings the row into view', async () => {
    const p = await openPage('#unit=main/svc-250');
    const target = row(p, 'Service 250');
    await target.waitFor();
    await eventually(() => inViewport(p, target), WAIT, 'the linked row in view');
    assert.equal(await target.getAttribute('highlighted'), '');
    assert.equal(hashParams(p).get('unit'), 'main/svc-250', 'the link stays shareable');

    // A folded node opens for its unit, from the address as an incident entry would set it.
    await p.evaluate("location.hash = '#unit=gamma/gamma-1'");
    const gammaRow = row(p, 'Gamma job 1');
    await gammaRow.waitFor();
    await eventually(() => inViewport(p, gammaRow), WAIT, 'the folded node opened at its unit');
    assert.equal(await card(p, 'Gamma').getByRole('button', { name: /the units of Gamma$/ }).getAttribute('aria-expanded'), 'true');
  });

  test('a jm-reveal-unit event from inside the dashboard leads to the row, clearing a filter that hides it', async () => {
    const p = await openPage();
    await p.getByRole('searchbox', { name: 'Filter units by name or id' }).fill('Service 00');
    await painted(p);
    // What the incidents panel dispatches for an entry (bubbling and composed, from inside the shadow root).
    await p.evaluate(`(() => {
      const dash = document.querySelector('jm-dashboard');
      const from = dash.shadowRoot.querySelector('jm-incidents') ?? dash;
      from.dispatchEvent(new CustomEvent('jm-reveal-unit', { detail: { nodeId: 'main', unitId: 'svc-287' }, bubbles: true, composed: true }));
    })()`);
    const target = row(p, 'Service 287');
    await target.waitFor();
    await eventually(() => inViewport(p, target), WAIT, 'the row in view');
    assert.equal(await p.getByRole('searchbox', { name: 'Filter units by name or id' }).inputValue(), '');
  });

  test("an incident entry's Show row button leads to the failing unit's row", async () => {
    const p = await openPage();
    const last = Math.max(...FAILING);
    const entry = p.locator('jm-incidents li').filter({ hasText: `Main / Service ${pad(last)}` });
    await entry.getByRole('button', { name: 'Show row' }).click();
    const target = row(p, `Service ${pad(last)}`);
    await target.waitFor();
    await eventually(() => inViewport(p, target), WAIT, 'the failing row in view');
    assert.equal(await target.getAttribute('highlighted'), '');
  });

  test('"Only problems" hides the nodes without problems and the healthy rows', async () => {
    const p = await openPage();
    await p.getByLabel('Only problems').check();
    await painted(p);
    const titles = await p.locator('jm-node-card h2 > span:first-child').allInnerTexts();
    assert.deepEqual(titles, ['Main', 'Beta']);
    assert.match(await text(p.locator('jm-dashboard .hidden-nodes')), /^2 nodes hidden: no problems\.$/);
    await row(p, 'Service 005').waitFor();
    await row(p, 'Service 287').waitFor();
    assert.equal(await card(p, 'Main').locator('jm-unit-row').count(), 2);
    // The summary still lists every node.
    assert.equal(await p.locator('jm-fleet-summary tbody tr').count(), 4);
    assert.equal(hashParams(p).get('problems'), '1');
  });

  test("the summary's problem count opens that node's problems", async () => {
    const p = await openPage('#open=');
    await p.getByRole('button', { name: 'Show the 1 problem of Beta' }).click();
    const failing = row(p, 'Beta job 1');
    await failing.waitFor();
    assert.equal(await card(p, 'Beta').locator('jm-unit-row').count(), 1, 'only the problem rows');
    assert.ok(await inViewport(p, card(p, 'Beta').locator('h2')), "Beta's card is in view");
    assert.equal(await p.getByLabel('Only problems').isChecked(), true);
  });

  test('the view (range, filter, only problems, open nodes) is kept in the address and restored from it', async () => {
    const p = await openPage();
    await p.getByRole('button', { name: '30 days', exact: true }).click();
    await p.locator('jm-dashboard header .sub').filter({ hasText: 'Last 30 days' }).waitFor();
    await p.getByRole('searchbox', { name: 'Filter units by name or id' }).fill('job');
    await p.getByLabel('Only problems').check();
    await p.getByRole('button', { name: 'Collapse all' }).click();
    await card(p, 'Beta').getByRole('button', { name: /the units of Beta$/ }).click();
    await painted(p);
    const shared = p.url();
    const params = hashParams(p);
    assert.equal(params.get('range'), '30d');
    assert.equal(params.get('q'), 'job');
    assert.equal(params.get('problems'), '1');
    assert.deepEqual(params.getAll('open'), ['beta']);

    // A colleague opens the shared address in another browser.
    const other = await openPage(new URL(shared).hash);
    await other.locator('jm-dashboard header .sub').filter({ hasText: 'Last 30 days' }).waitFor();
    assert.equal(await other.getByRole('button', { name: '30 days', exact: true }).getAttribute('aria-pressed'), 'true');
    assert.equal(await other.getByRole('searchbox', { name: 'Filter units by name or id' }).inputValue(), 'job');
    assert.equal(await other.getByLabel('Only problems').isChecked(), true);
    await row(other, 'Beta job 1').waitFor();
    assert.deepEqual(await other.locator('jm-node-card h2 > span:first-child').allInnerTexts(), ['Beta']);
    await other.screenshot({ path: join(ARTIFACTS_DIR, 'fleet-shared-view-1280.png'), fullPage: true });
  });

  test('screenshot of the fleet view, and no console errors or dialogs', async () => {
    const p = await openPage();
    await p.screenshot({ path: join(ARTIFACTS_DIR, 'fleet-1280.png') });
    const problems = watches.flatMap((w) => [...w.errors, ...w.dialogs]);
    assert.deepEqual(problems, []);
  });
});

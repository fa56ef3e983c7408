/**
 * How the dashboard shows nodes whose figures are not final, in a real
 * browser (Debian's chromium via playwright-core): a peer still syncing
 * (`syncing: true`, as a node of ours sends while it fetches a peer's
 * history) and a peer without a single check in the range. Neither may read
 * as 0.00 % uptime in red.
 *
 * The cluster answer is a fixture served by scripts/ui-preview.mjs on
 * 127.0.0.1 (with the daemon's CSP): a daemon cannot be held in the middle of
 * its first sync on demand, and the `syncing` field is the peer sync's to send.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { ROOT } from '../helpers/daemon.js';
import { browserGate, launchChromium, watchPage, type PageWatch } from '../helpers/browser.js';

const gate = browserGate();
if (!gate.run) {
  test('Debian chromium is installed for the browser tests', { skip: gate.required ? false : gate.reason }, () => {
    assert.fail(gate.reason);
  });
}

interface PreviewServer {
  origin: string;
  close(): Promise<void>;
}

function cluster(now: number): unknown {
  const at = new Date(now).toISOString();
  const unit = (id: string, total: number, up: number) => ({ id, name: id.toUpperCase(), uptime_percent: up, total_checks: total, passing: Math.round((total * up) / 100), failing: total - Math.round((total * up) / 100), missing_slots: 0 });
  const check = (id: string) => ({ id, name: id.toUpperCase(), ok: true, state: 'active' });
  return {
    generated_at: at,
    range: '24h',
    range_start: new Date(now - 86_400_000).toISOString(),
    range_end: at,
    nodes: [
      { node: { id: 'hub', name: 'Hub', interval_minutes: 5 }, source: 'local', updated_at: at, status: { timestamp: at, checks: [check('web')] }, services: [unit('web', 288, 100)] },
      { node: { id: 'fresh', name: 'Fresh peer', interval_minutes: 5 }, source: 'peer', syncing: true, updated_at: at, last_success_at: at, status: { timestamp: at, checks: [check('db')] }, services: [unit('db', 0, 0)] },
      { node: { id: 'quiet', name: 'Quiet peer', interval_minutes: 5 }, source: 'peer', updated_at: at, last_success_at: at, services: [unit('cron', 0, 0)] },
    ],
  };
}

describe('nodes whose figures are not final', { concurrency: false, timeout: 120_000, skip: gate.run ? false : gate.reason }, () => {
  let dir: string;
  let server: PreviewServer;
  let browser: Browser;
  let page: Page;
  let watch: PageWatch;

  const summaryLine = async (name: string): Promise<string> =>
    (await page.locator('jm-fleet-summary tbody tr', { hasText: name }).innerText()).replace(/\s+/g, ' ').trim();
  const card = (name: string): Locator => page.locator('jm-node-card').filter({ has: page.locator('h2', { hasText: name }) });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jm-sync-states-'));
    const file = join(dir, 'cluster.json');
    writeFileSync(file, JSON.stringify(cluster(Date.now())));
    const preview = (await import(pathToFileURL(join(ROOT, 'scripts', 'ui-preview.mjs')).href)) as {
      startPreviewServer(o: { scenario: string }): Promise<PreviewServer>;
    };
    server = await preview.startPreviewServer({ scenario: `file:${file}` });
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
    page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    // The fixture server has no /api/incidents (an original node has none either).
    watch = watchPage(page, [/status of 404/]);
    await page.goto(`${server.origin}/`);
    await page.locator('jm-fleet-summary tbody tr').nth(2).waitFor();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a peer still syncing says "syncing" in the summary and on its card, never 0 %', async () => {
    assert.match(await summaryLine('Fresh peer'), /^Fresh peer syncing 1 1 ok syncing none$/i);
    const header = (await card('Fresh peer').locator('header').innerText()).replace(/\s+/g, ' ');
    assert.match(header, /syncing/i);
    assert.doesNotMatch(header, /0\.00%/);
    assert.equal(((await card('Fresh peer').locator('.pill').textContent()) ?? '').trim(), 'syncing');
  });

  test('a peer with no check in the range shows "no data", not 0.00 % in red', async () => {
    assert.match(await summaryLine('Quiet peer'), /^Quiet peer in sync 1 1 unknown no data 1$/i);
    const pill = card('Quiet peer').locator('.pill');
    assert.equal(((await pill.textContent()) ?? '').trim(), 'no data');
    assert.match((await pill.getAttribute('class')) ?? '', /level-none/);
    assert.equal(await page.locator('jm-fleet-summary .text-bad').count(), 0, 'nothing in the summary is red');
    assert.deepEqual(watch.errors.concat(watch.dialogs), []);
  });
});

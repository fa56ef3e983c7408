/**
 * The dashboard in Debian's chromium, over a real daemon whose 300 targets sit
 * on a host without systemd (a scripted systemctl on PATH): the incident list
 * shows the host problem once, with the count, and the units behind a
 * disclosure in a box of bounded height; once systemd answers again, it is one
 * resolved row, its units still behind a disclosure.
 */
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { rmSync, writeFileSync } from 'node:fs';
import { eventually, startDaemonProcess, type DaemonProcess } from '../helpers/daemon.js';
import { join } from 'node:path';
import { ARTIFACTS_DIR, browserGate, launchChromium, painted, watchPage, type PageWatch } from '../helpers/browser.js';
import { scriptedSystemctl } from '../incidents/scripted-systemctl.js';

const TARGETS = 300;
const WAIT = 30_000;
const gate = browserGate();

if (!gate.run) {
  test('Debian chromium is installed for the browser tests', { skip: gate.required ? false : gate.reason }, () => {
    assert.fail(gate.reason);
  });
}

describe('a host incident in the dashboard', { concurrency: false, timeout: 120_000, skip: gate.run ? false : gate.reason }, () => {
  let states: string;
  let daemon: DaemonProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: PageWatch;

  before(async () => {
    const fake = scriptedSystemctl('jm-host-ui-');
    states = fake.states;
    writeFileSync(join(states, 'MODE'), 'nosystemd');
    daemon = await startDaemonProcess({
      config: {
        interval_minutes: 0.05,
        data_directory: 'data',
        node_id: 'web-1',
        node_name: 'Web 1',
        targets: Array.from({ length: TARGETS }, (_, i) => ({ id: `t${i}`, name: `Target ${i}`, service: `ok-${i}` })),
      },
      dir: fake.dir,
      pathPrepend: [fake.bin],
      env: { FAKE_STATE_DIR: states },
    });
    await eventually(async () => ((await daemon.get('/api/incidents')).body.open.length === 1 ? true : undefined), WAIT, 'the host incident');
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
    page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    watch = watchPage(page);
    await page.goto(`${daemon.url}/`);
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await daemon?.stop();
  });

  const items = () => page.locator('jm-incidents section > ul > li');

  it('lists the host problem once, with the count, dated from its incident', async () => {
    const item = items().filter({ hasText: 'systemd is not running' });
    await item.waitFor();
    // The date comes from the stored incident (/api/incidents, asked beside the feed): until that
    // answer is in, the item says "Since: unknown". Wait for it, up to WAIT; a page that never
    // dates the item fails below with the text it shows.
    await item.filter({ hasText: /Since \w{3} \d+, \d{4}/ }).waitFor().catch(() => undefined);
    assert.equal(await items().count(), 1, 'one item, not one per unit');
    assert.equal((await page.locator('jm-incidents .count').innerText()).trim(), '1 item needs attention');
    const text = (await item.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /^Web 1 - systemd is not running \(not booted with systemd\) 300 units unchecked - System has not been booted with systemd/);
    assert.match(text, /Since \w{3} \d+, \d{4}/, 'dated from the incident, not "Since: unknown"');
    assert.match(text, /300 units affected/);
  });

  it('shows the units behind a disclosure, in a box that stays the same height with hundreds of them', async () => {
    const list = page.locator('jm-incidents ul.unit-list');
    assert.equal(await list.isVisible(), false, 'folded at first');
    const sectionBefore = (await page.locator('jm-incidents section').boundingBox())!.height;
    await page.locator('jm-incidents details.units summary').click();
    await list.waitFor({ state: 'visible' });
    await painted(page);
    assert.equal(await list.locator('li').count(), TARGETS);
    assert.equal((await list.locator('li').first().innerText()).trim(), 'Target 0 (t0)');
    const box = (await list.boundingBox())!;
    assert.ok(box.height < 300, `the unit list is a scrolling box (${box.height}px), not ${TARGETS} lines of page`);
    const sectionAfter = (await page.locator('jm-incidents section').boundingBox())!.height;
    assert.ok(sectionAfter - sectionBefore < 300, `opening it grows the list by ${sectionAfter - sectionBefore}px`);
    await list.locator('li').last().scrollIntoViewIfNeeded();
    assert.equal((await list.locator('li').last().innerText()).trim(), `Target ${TARGETS - 1} (t${TARGETS - 1})`);
    await page.locator('jm-incidents').screenshot({ path: join(ARTIFACTS_DIR, 'host-incident.png') });
    assert.deepEqual(watch.errors, []);
    assert.deepEqual(watch.dialogs, []);
  });

  it('when systemd answers again: no open item, and one resolved row with its units', async () => {
    rmSync(join(states, 'MODE'));
    await eventually(async () => ((await daemon.get('/api/incidents')).body.open.length === 0 ? true : undefined), WAIT, 'the host incident to close');
    await page.reload();
    await page.locator('jm-incidents p.clear').waitFor();
    const rows = page.locator('jm-incidents .resolved tbody > tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1, 'one row, not one per unit');
    assert.match((await rows.first().innerText()).replace(/\s+/g, ' '), /^Web 1 - systemd is not running \(not booted with systemd\).*300 units affected/);
    await rows.first().locator('summary').click();
    assert.equal(await rows.first().locator('ul.unit-list li').count(), TARGETS);
    assert.deepEqual(watch.errors, []);
  });
});

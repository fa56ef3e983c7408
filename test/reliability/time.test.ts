/**
 * Time: the wall clock jumping forward and back (injected `now` into the
 * store, the views and the health route) neither corrupts the history on
 * disk or in memory nor creates phantom downtime; and a daemon that was
 * stopped for two hours shows those two hours as missed samples.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Koa from 'koa';
import type { Config } from '../../src/config/types.js';
import { FileStore } from '../../src/history/file-store.js';
import { openHistory, type History } from '../../src/history/open.js';
import { healthRoutes } from '../../src/http/health-routes.js';
import { createLogger } from '../../src/log.js';
import { createLocalNode } from '../../src/node/local.js';
import type { ServiceUptime, StatusEntry } from '../../src/types.js';
import { eventually, startDaemonProcess } from '../helpers/daemon.js';
import { fakeBin, readStatusSegments, scratch } from './support.js';
import { testConfig } from '../helpers/config.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const quiet = createLogger({ write: () => undefined });

const TARGETS = [
  { id: 'ok-web', name: 'Web', service: 'ok-web.service', timeout_seconds: 10, use_sudo: false },
  { id: 'bad-db', name: 'DB', service: 'bad-db.service', timeout_seconds: 10, use_sudo: false },
];

function configFor(dir: string): Config {
  return testConfig({ interval_minutes: 1, data_directory: dir, node_id: 'clock', node_name: 'Clock', targets: TARGETS });
}

const entryAt = (ms: number): StatusEntry => ({
  timestamp: new Date(ms).toISOString(),
  checks: [
    { id: 'ok-web', name: 'Web', ok: true, state: 'active' },
    { id: 'bad-db', name: 'DB', ok: false, state: 'failed', error: 'failed' },
  ],
});

/** Invariants any uptime row must keep, whatever the clock did. */
function assertSaneUptime(rows: ServiceUptime[], what: string): void {
  for (const r of rows) {
    assert.ok(r.uptime_percent >= 0 && r.uptime_percent <= 100, `${what}: ${r.id} uptime ${r.uptime_percent}`);
    assert.equal(r.total_checks, r.passing + r.failing, `${what}: ${r.id} total`);
    assert.ok(r.missing_slots >= 0 && r.failing >= r.missing_slots, `${what}: ${r.id} missing ${r.missing_slots}`);
    assert.ok(Number.isInteger(r.missing_slots) && Number.isInteger(r.passing), `${what}: ${r.id} integers`);
  }
}

test('the wall clock jumping forward and back: every sample kept once, in time order, in memory and on disk; no phantom downtime', async (t) => {
  const dir = scratch(t, 'jm-rel-clock-');
  // Start shortly before midnight so the jumps cross days (a closed day is compacted and never reopened).
  let clock = Date.parse('2026-11-20T23:00:00.000Z');
  const now = () => clock;
  const opened = await openHistory({ dir, retentionDays: 30, now, log: quiet });
  assert.ok(opened.ok);
  const history: History = opened.value;
  const local = () => createLocalNode({ config: configFor(dir), history, now, version: 't' });
  const appended: string[] = [];
  const sampleEveryMinute = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const e = entryAt(clock);
      assert.deepEqual(await history.appendStatus(e), { ok: true }, `append at ${e.timestamp}`);
      appended.push(e.timestamp);
      clock += MIN;
    }
  };
  const inMemory = () => history.statusEntries({ start: -Infinity, end: Infinity }).map((e) => e.timestamp);
  const sorted = (xs: string[]) => [...xs].sort();

  await sampleEveryMinute(11); // 23:00 .. 23:10
  clock += 3 * HOUR; // forward into the next day: day 20 closes and is compacted
  await sampleEveryMinute(3);
  clock -= 3 * HOUR + 3 * MIN; // back to 23:11 of day 20
  await sampleEveryMinute(10); // 23:11 .. 23:20
  const beforeBigJump = clock;
  clock += 40 * DAY; // a clock 40 days ahead (past retention)
  await sampleEveryMinute(1);
  assertSaneUptime(local().uptimeBody('24h')['services'] as ServiceUptime[], '40 days ahead');
  clock = beforeBigJump; // corrected: 23:21 of day 20
  await sampleEveryMinute(5); // 23:21 .. 23:25
  clock -= MIN;

  assert.deepEqual(inMemory(), sorted(appended), 'memory: every sample once, in time order');
  // Seen from 23:25 of day 20, the window holds 26 samples a minute apart: no downtime, whatever the clock did meanwhile.
  const uptime = local().uptimeBody('24h')['services'] as ServiceUptime[];
  assertSaneUptime(uptime, 'after the jumps');
  const web = uptime.find((r) => r.id === 'ok-web')!;
  assert.deepEqual([web.passing, web.failing, web.missing_slots, web.uptime_percent], [26, 0, 0, 100]);
  const db = uptime.find((r) => r.id === 'bad-db')!;
  assert.deepEqual([db.passing, db.failing, db.missing_slots, db.uptime_percent], [0, 26, 0, 0]);
  const timelines = local().snapshot('24h').service_timelines ?? [];
  assert.equal(timelines.length, 2);
  for (const tl of timelines) {
    assert.equal(tl.timeline.length, 80);
    for (const p of tl.timeline) assert.ok(Date.parse(p.start) < Date.parse(p.end));
  }

  await history.close();
  const disk = readStatusSegments(dir);
  assert.deepEqual(disk.bad, [], 'every line and compacted day reads back');
  assert.deepEqual(sorted(disk.timestamps), sorted(appended), 'disk: every sample once');

  // A restart while the clock is 41 days ahead: by that clock every day but the newest is past retention;
  // nothing is deleted (a warning asks whether the clock is right). Back under the right clock, all is there.
  const ahead = await FileStore.open({ dir, retentionDays: 30, now: () => clock + 41 * DAY });
  assert.ok(ahead.ok);
  await ahead.store.close();
  assert.deepEqual(sorted(readStatusSegments(dir).timestamps), sorted(appended), 'a restart under a clock far ahead deletes nothing');
  // Back under the right clock, the day the clock-ahead run wrote (40 days ahead) is a segment dated in the
  // future: it is moved aside, named in a warning, never appended to; every other sample is there.
  const again = await FileStore.open({ dir, retentionDays: 30, now: () => clock });
  assert.ok(again.ok);
  const warnings = again.report.notes.filter((n) => n.level !== 'info');
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.match(warnings[0]!.message, /ahead of the clock .*moved aside as .*\.future-/);
  // The sample 40 days ahead and the five after it went to that day's file.
  assert.deepEqual(again.store.status.entries(-Infinity, Infinity).map((e) => e.timestamp), sorted(appended.slice(0, -6)));
  assert.ok(readdirSync(dir).some((n) => /\.cols\.gz\.future-/.test(n)), 'kept on disk, aside');
  await again.store.close();
});

test('the status after the clock steps back is the sample taken last, not the one stamped latest', async (t) => {
  const dir = scratch(t, 'jm-rel-clock-');
  let clock = Date.parse('2026-11-28T10:00:00.000Z');
  const opened = await openHistory({ dir, retentionDays: 30, now: () => clock, log: quiet });
  assert.ok(opened.ok);
  const local = createLocalNode({ config: configFor(dir), history: opened.value, now: () => clock, version: 't' });
  await opened.value.appendStatus(entryAt(clock));
  clock -= HOUR; // an NTP step back of an hour
  const after = { ...entryAt(clock), checks: [{ id: 'ok-web', name: 'Web', ok: false, state: 'failed', error: 'failed' }] };
  await opened.value.appendStatus(after);
  const status = local.statusBody()['status'] as StatusEntry;
  assert.equal(status.timestamp, after.timestamp, 'not frozen on the sample stamped before the step');
  assert.equal(status.checks[0]!.state, 'failed');
  await opened.value.close();
  // And after a restart too: the last line written is the latest.
  const again = await openHistory({ dir, retentionDays: 30, now: () => clock, log: quiet });
  assert.ok(again.ok);
  assert.equal(again.value.latestStatus()?.timestamp, after.timestamp);
  await again.value.close();
});

test('a running prune under a clock stepped 40 days ahead deletes nothing; after a day of steady time the new clock is believed', async (t) => {
  const dir = scratch(t, 'jm-rel-prune-');
  let clock = Date.parse('2026-11-20T12:00:00.000Z');
  let mono = 1_000;
  const notes: string[] = [];
  const opened = await FileStore.open({ dir, retentionDays: 30, now: () => clock, monotonic: () => mono, onNote: (n) => notes.push(n.message) });
  assert.ok(opened.ok);
  const store = opened.store;
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await store.appendStatus(entryAt(clock)), { ok: true });
    clock += HOUR;
    mono += HOUR;
  }
  clock += 40 * DAY; // the wall clock jumps; the monotonic clock does not
  assert.deepEqual(await store.appendStatus(entryAt(clock)), { ok: true });
  const held = await store.prune();
  assert.deepEqual([held.removedFiles, held.removedSamples], [[], 0]);
  assert.equal(store.status.length, 4);
  assert.match(notes.at(-1) ?? '', /wall clock jumped 40\.0 days ahead .*pruning held back/);
  // Still ahead a day later (by the monotonic clock): taken as right, and pruning does its job.
  mono += DAY;
  clock += DAY;
  const done = await store.prune();
  assert.equal(done.removedSamples, 3);
  assert.equal(done.removedFiles.length, 1);
  assert.match(notes.at(-1) ?? '', /taking it as right/);
  await store.close();
});

test('/healthz while the clock jumps back: ages and uptime never negative, still "ok" while sampling goes on', async () => {
  let clock = Date.parse('2026-11-28T10:00:00.000Z');
  const startedAt = clock;
  let lastSampleAt = clock + 30_000;
  const app = new Koa();
  app.use(healthRoutes({ health: () => ({ lastSampleAt, intervalMs: 60_000, startedAt, pendingWrites: 0, lastWriteError: undefined }), now: () => clock }).routes());
  const get = async () => {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/healthz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    } finally {
      server.close();
    }
  };
  clock += 60_000;
  assert.equal((await get()).status, 200);
  clock -= 2 * HOUR; // the clock goes back two hours: the last sample and the start are "in the future"
  lastSampleAt = clock; // and sampling goes on, stamped with the new clock
  const back = await get();
  assert.equal(back.status, 200);
  assert.ok((back.body['uptime_seconds'] as number) >= 0, `uptime_seconds ${String(back.body['uptime_seconds'])}`);
  assert.ok((back.body['last_sample_age_seconds'] as number) >= 0);
});

test('a daemon stopped for two hours shows them as missed samples: 120 missing slots at a 1-minute interval, and "no data" on the timeline', { timeout: 60_000 }, async (t) => {
  const bin = fakeBin(t);
  const dir = scratch(t, 'jm-rel-gap-');
  const dataDir = join(dir, 'data');
  // Three hours of samples a minute apart, the last one 2 h 1 min ago: the daemon stopped right after it.
  const now = Date.now();
  const last = now - 2 * HOUR - MIN;
  const opened = await FileStore.open({ dir: dataDir, retentionDays: 30, now: () => now });
  assert.ok(opened.ok);
  for (let ts = last - 3 * HOUR; ts <= last; ts += MIN) {
    const e: StatusEntry = { timestamp: new Date(ts).toISOString(), checks: TARGETS.map((x) => ({ id: x.id, name: x.name, ok: true, state: 'active' })) };
    assert.deepEqual(await opened.store.appendStatus(e), { ok: true });
  }
  await opened.store.close();

  const d = await startDaemonProcess({
    // Both units are up (the fake answers "active" for ok-*), so every missing slot is the stop's.
    config: { interval_minutes: 1, data_directory: 'data', node_id: 'gap', node_name: 'Gap', targets: TARGETS.map((x) => ({ id: x.id, name: x.name, service: 'ok-unit.service' })) },
    dir,
    pathPrepend: [bin.dir],
  });
  t.after(() => d.stop());
  // Wait for the first sample after the restart, so the gap is closed on both sides.
  await eventually(async () => {
    const s = (await d.get('/api/node/status')).body?.status?.timestamp as string | undefined;
    return s !== undefined && Date.parse(s) > last + HOUR;
  }, 20_000, 'the first sample after the restart');
  const uptime = (await d.get('/api/node/uptime?range=24h')).body.services as ServiceUptime[];
  assertSaneUptime(uptime, 'after a two-hour stop');
  for (const r of uptime) {
    assert.equal(r.missing_slots, 120, `${r.id}: two hours at one minute`);
    assert.equal(r.passing, 182, `${r.id}: 181 stored samples and the new one`);
    assert.equal(r.failing, 120);
    assert.equal(r.uptime_percent, Math.round((182 / 302) * 10000) / 100);
  }
  // The timeline shows the stop as "no data": 18-minute buckets, so at least 5 whole ones in the 2-hour gap.
  const cluster = (await d.get('/api/cluster?range=24h')).body as { nodes: Array<{ service_timelines: Array<{ service_id: string; timeline: Array<{ className: string; start: string; end: string }> }> }> };
  for (const tl of cluster.nodes[0]!.service_timelines) {
    const inGap = tl.timeline.filter((p) => Date.parse(p.start) > last && Date.parse(p.end) < last + 2 * HOUR);
    assert.ok(inGap.length >= 5, `${tl.service_id}: ${inGap.length} buckets inside the gap`);
    for (const p of inGap) assert.equal(p.className, 'state-missing', `${tl.service_id} ${p.start}`);
  }
});

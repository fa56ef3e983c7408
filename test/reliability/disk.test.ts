/**
 * Disk trouble under a running daemon: a data directory on a tiny tmpfs that
 * fills up, then turns read-only; a directory the daemon's user may no longer
 * write. Writes fail with a log line and show in /healthz, checking and
 * serving go on, samples wait in memory and reach the disk once it works
 * again. A data directory unusable at start is exit status 1 with the reason.
 * Mounting and changing users need root: skipped without it, failed under CI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { eventually, MAIN, startDaemonProcess } from '../helpers/daemon.js';
import { fakeBin, fillUp, gateRoot, mainForOtherUsers, mountTmpfs, readStatusSegments, remount, scratch, startDaemonAs, targets } from './support.js';

const FAST = 0.01; // a sample every 0.6 s
const NOBODY = 65534;

type Getter = (path: string) => Promise<{ status: number; body: any }>;

const history = async (get: Getter): Promise<string[]> =>
  ((await get('/api/node/history?range=24h')).body.history as Array<{ timestamp: string }>).map((e) => e.timestamp);

const newestSample = async (get: Getter): Promise<string | undefined> => (await get('/api/node/status')).body.status?.timestamp;

/** Waits until /healthz reports writes failing with `code` and at least `pending` samples waiting. */
function failingWith(get: Getter, code: RegExp, pending = 2) {
  return eventually(async () => {
    const h = await get('/healthz');
    return h.body.pending_writes >= pending && code.test(h.body.last_write_error ?? '') ? h : undefined;
  }, 30_000, `writes failing with ${code}`);
}

function recovered(get: Getter) {
  return eventually(async () => {
    const h = await get('/healthz');
    return h.body.pending_writes === 0 && h.body.last_write_error === undefined ? h : undefined;
  }, 30_000, 'writes recovered');
}

/** Sampling goes on: the newest sample changes, and the API answers meanwhile. */
async function stillSampling(get: Getter): Promise<void> {
  const before = await newestSample(get);
  await eventually(async () => (await newestSample(get)) !== before, 20_000, 'a new sample');
  for (const p of ['/api/node/uptime', '/api/cluster', '/api/node/history?limit=5']) assert.equal((await get(p)).status, 200, p);
}

test('a data directory on a tmpfs that fills up: logged, shown in /healthz, sampling goes on, the backlog is written when space returns', { timeout: 120_000 }, async (t) => {
  if (!gateRoot(t)) return;
  const mnt = mountTmpfs(t, '256k');
  const bin = fakeBin(t);
  const d = await startDaemonProcess({
    dir: scratch(t),
    config: { interval_minutes: FAST, data_directory: mnt, node_id: 'full', node_name: 'Full', targets: targets(8) },
    pathPrepend: [bin.dir],
  });
  t.after(() => d.stop());
  const get: Getter = (p) => d.get(p);
  await eventually(async () => (await history(get)).length >= 2, 20_000, 'first samples');

  const filler = fillUp(mnt);
  const h = await failingWith(get, /^ENOSPC/, 3);
  assert.equal(h.status, 200, '/healthz: still sampling, so healthy; the backlog is in the body');
  await stillSampling(get);
  assert.match(d.logs(), /ERROR history write failed \(sample kept in memory, retried on the next write\): ENOSPC: no space left on device, write \(\d+ status lines? waiting\)/);
  // For alerting: the same in /metrics.
  const metrics = (await d.get('/metrics')).text;
  assert.match(metrics, /^jobmonitor_history_write_error\{node="full"\} 1$/m);
  assert.match(metrics, /^jobmonitor_history_pending_writes\{node="full"\} [1-9]\d*$/m);
  const duringOutage = await history(get);
  // A write failure is an incident, open while the disk is full.
  type Inc = { kind: string; subject: string; errors: string[]; ended_at?: string };
  const open = ((await d.get('/api/incidents')).body as { open: Inc[] }).open.find((i) => i.kind === 'storage');
  assert.ok(open, 'a storage incident is open');
  assert.match(open.errors.join(' '), /ENOSPC/);
  assert.match(d.logs(), /WARN incident opened: storage history \(History writes\)/);

  rmSync(filler);
  await recovered(get);
  assert.match(d.logs(), /history write recovered/);
  const resolved = await eventually(async () => ((await d.get('/api/incidents')).body as { resolved: Inc[] }).resolved.find((i) => i.kind === 'storage'), 20_000, 'the storage incident to resolve');
  assert.ok(resolved.ended_at !== undefined);
  assert.match((await d.get('/metrics')).text, /^jobmonitor_history_write_error\{node="full"\} 0$/m);
  const served = await history(get);
  assert.equal((await d.stop()).code, 0);

  const disk = readStatusSegments(mnt);
  assert.deepEqual(disk.bad, [], 'no damaged line: a failed write was cut back');
  assert.equal(new Set(disk.timestamps).size, disk.timestamps.length, 'no line written twice');
  const missing = served.filter((ts) => !disk.timestamps.includes(ts));
  assert.deepEqual(missing, [], 'every sample served, including those taken while the disk was full, is on disk');
  assert.ok(duringOutage.length > 2);
});

test('full, then remounted read-only, then writable again: EROFS is reported, nothing served is lost', { timeout: 120_000 }, async (t) => {
  if (!gateRoot(t)) return;
  const mnt = mountTmpfs(t, '256k');
  const bin = fakeBin(t);
  const d = await startDaemonProcess({
    dir: scratch(t),
    config: { interval_minutes: FAST, data_directory: mnt, node_id: 'ro', node_name: 'Read-only', targets: targets(8) },
    pathPrepend: [bin.dir],
  });
  t.after(() => d.stop());
  const get: Getter = (p) => d.get(p);
  await eventually(async () => (await history(get)).length >= 2, 20_000, 'first samples');
  const filler = fillUp(mnt);
  await failingWith(get, /^ENOSPC/);
  // The writer closes its file after a failed write, so the file system can be made read-only under it
  // (a read-only remount is refused while any file is open for writing).
  await eventually(() => remount(mnt, 'ro'), 20_000, 'a read-only remount');
  await failingWith(get, /^EROFS/);
  await stillSampling(get);
  assert.match(d.logs(), /ERROR history write failed .*: EROFS: read-only file system/);

  assert.ok(remount(mnt, 'rw'));
  rmSync(filler);
  await recovered(get);
  const served = await history(get);
  assert.equal((await d.stop()).code, 0);
  const disk = readStatusSegments(mnt);
  assert.deepEqual(disk.bad, []);
  assert.deepEqual(served.filter((ts) => !disk.timestamps.includes(ts)), []);
});

test('a segment deleted and its directory made unwritable under a daemon running as an ordinary user: EACCES reported, written once allowed again', { timeout: 120_000 }, async (t) => {
  if (!gateRoot(t)) return;
  const dir = scratch(t, 'jm-rel-perm-');
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  mkdirSync(data);
  chownSync(data, NOBODY, NOBODY);
  const bin = fakeBin(t);
  chmodSync(bin.dir, 0o755);
  const d = await startDaemonAs({
    dir,
    uid: NOBODY,
    gid: NOBODY,
    pathPrepend: [bin.dir],
    config: { interval_minutes: FAST, data_directory: 'data', node_id: 'perm', node_name: 'Perm', targets: targets(5) },
  });
  t.after(() => d.stop());
  const get: Getter = (p) => d.getJson(p);
  await eventually(async () => (await history(get)).length >= 2, 20_000, 'first samples');

  const segment = readdirSync(data).find((n) => /^status-.*\.jsonl$/.test(n));
  assert.ok(segment !== undefined);
  chmodSync(data, 0o555);
  unlinkSync(join(data, segment));
  const removedAt = new Date().toISOString();
  await failingWith(get, /^EACCES/);
  await stillSampling(get);
  assert.match(d.logs(), new RegExp(`ERROR history: ${join(data, segment).replace(/[.]/g, '\\.')}: segment was removed while in use`));
  assert.match(d.logs(), /ERROR history write failed .*: EACCES: permission denied, open/);

  chmodSync(data, 0o755);
  await recovered(get);
  const served = await history(get);
  assert.equal((await d.stop()).code, 0);
  const disk = readStatusSegments(data);
  assert.deepEqual(disk.bad, []);
  // What was deleted is gone from disk; everything sampled after the deletion is there.
  const after = served.filter((ts) => ts > removedAt);
  assert.ok(after.length >= 2);
  assert.deepEqual(after.filter((ts) => !disk.timestamps.includes(ts)), []);
});

/** Runs the daemon expecting it to refuse to start; returns exit status and stderr. */
function startFails(t: TestContext, dataDirectory: string, as?: number): { status: number | null; stderr: string } {
  const dir = scratch(t, 'jm-rel-nostart-');
  chmodSync(dir, 0o755);
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, JSON.stringify({ interval_minutes: FAST, data_directory: dataDirectory, node_id: 'n', node_name: 'N', targets: targets(1) }));
  chmodSync(configPath, 0o644);
  const r = spawnSync(process.execPath, [as !== undefined ? mainForOtherUsers() : MAIN, '-config', configPath, '-addr', '127.0.0.1:0'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    ...(as !== undefined ? { uid: as, gid: as } : {}),
  });
  t.diagnostic(`${dataDirectory}: exit ${r.status}: ${r.stderr.trim()}`);
  assert.doesNotMatch(r.stderr, /listening on/, 'never started serving');
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  return { status: r.status, stderr: r.stderr };
}

test('a data directory unusable at start is a clear error naming it, exit status 1', { timeout: 120_000 }, async (t) => {
  const base = scratch(t, 'jm-rel-unusable-');
  chmodSync(base, 0o755);
  const file = join(base, 'a-file');
  writeFileSync(file, 'x');
  const cases: Array<[string, string, RegExp, number?]> = [
    ['a regular file', file, /: the data directory path exists and is not a directory$/m],
    ['below a regular file', join(file, 'data'), /cannot create the data directory \(ENOTDIR\)/],
  ];
  if (process.getuid?.() === 0) {
    const ro = mountTmpfs(t, '64k');
    assert.ok(remount(ro, 'ro'));
    cases.push(['on a read-only file system', ro, /the data directory is not writable \(EROFS\)/]);
    const full = mountTmpfs(t, '64k');
    fillUp(full);
    cases.push(['on a full file system', full, /the data directory is not writable \(ENOSPC\)/]);
    const locked = join(base, 'locked');
    mkdirSync(locked, { mode: 0o755 });
    cases.push(["not writable by the daemon's user", locked, /the data directory is not writable \(EACCES\)/, NOBODY]);
    cases.push(["not creatable by the daemon's user", join(locked, 'sub'), /cannot create the data directory \(EACCES\)/, NOBODY]);
  } else {
    t.diagnostic('not root: read-only, full and permission cases not run');
  }
  for (const [what, path, reason, as] of cases) {
    const r = startFails(t, path, as);
    assert.equal(r.status, 1, what);
    const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(r.stderr, new RegExp(`ERROR data directory ${escaped}: `), `${what}: names the directory`);
    assert.match(r.stderr, reason, what);
  }
});

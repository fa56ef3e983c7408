/**
 * Worker faults: a check worker that throws, exits, or runs out of memory,
 * inside the real daemon (a test worker module wraps the real one, set with
 * the test entry's checkWorkerFile, test/helpers/daemon-entry.ts). That check is recorded as an error, its
 * neighbours in other jobs are not touched, the pool recovers and the next
 * sweep is normal. And a storm of aborted jobs leaves the pool as it was.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { TargetConfig } from '../../src/config/types.js';
import { createCheckPool } from '../../src/checks/pool.js';
import { eventually, ROOT, startDaemonProcess } from '../helpers/daemon.js';
import { fakeBin, scratch, targets } from './support.js';

const REAL_WORKER = pathToFileURL(join(ROOT, 'dist', 'workers', 'check-worker.js')).href;

/**
 * A worker module that behaves like the real one, except for the job holding
 * `ok-<fault>.service` while the file `<triggers>/<fault>` exists: it removes
 * the file (so the fault happens once) and throws, exits, hangs or eats memory.
 */
function faultyWorker(dir: string): string {
  const file = join(dir, 'faulty-worker.mjs');
  writeFileSync(
    file,
    `import { unlinkSync } from 'node:fs';
import * as real from ${JSON.stringify(REAL_WORKER)};
const armed = (fault) => { try { unlinkSync(${JSON.stringify(dir)} + '/' + fault); return true; } catch { return false; } };
export async function checkBatch(job) {
  const units = job.units.map((u) => u.service);
  if (units.includes('ok-throw.service') && armed('throw')) throw new Error('injected fault');
  if (units.includes('ok-exit.service') && armed('exit')) process.exit(7);
  if (units.includes('ok-hog.service') && armed('hog')) { const hog = []; for (;;) hog.push(new Array(1e5).fill(hog.length)); }
  if (units.some((u) => u.startsWith('stuck'))) return new Promise(() => {});
  return real.checkBatch(job);
}
export function probeDns(job) { return real.probeDns(job); }
`,
  );
  return pathToFileURL(file).href;
}

type Check = { id: string; ok: boolean; state?: string; error?: string };
type Entry = { timestamp: string; checks: Check[] };

test('a worker that throws, one that exits and one out of memory: those checks are errors, the rest of the sweep and the next sweeps are normal', { timeout: 120_000 }, async (t) => {
  const bin = fakeBin(t);
  const dir = scratch(t, 'jm-rel-workers-');
  // Different timeouts put each faulty unit in a job of its own (jobs group units by sudo and timeout).
  const faults = [
    { id: 'ok-throw', service: 'ok-throw', timeout_seconds: 7 },
    { id: 'ok-exit', service: 'ok-exit', timeout_seconds: 8 },
    { id: 'ok-hog', service: 'ok-hog', timeout_seconds: 9 },
  ];
  const good = targets(6);
  const d = await startDaemonProcess({
    config: { interval_minutes: 0.02, data_directory: 'data', node_id: 'wk', node_name: 'Workers', targets: [...good, ...faults] },
    dir,
    pathPrepend: [bin.dir],
    hooks: { checkWorkerFile: faultyWorker(dir) },
  });
  t.after(() => d.stop());
  const history = async (): Promise<Entry[]> => (await d.get('/api/node/history?range=24h')).body.history as Entry[];
  const normal = (e: Entry) => e.checks.every((c) => (c.id.startsWith('ok-') ? c.state === 'active' : c.state !== 'unknown'));
  await eventually(async () => (await history()).some(normal), 20_000, 'a normal sample');

  for (const fault of ['throw', 'exit', 'hog']) writeFileSync(join(dir, fault), '');
  const failedOf = (h: Entry[], id: string) => h.find((e) => e.checks.some((c) => c.id === id && c.state === 'unknown'));
  const afterFaults = await eventually(async () => {
    const h = await history();
    const hit = faults.map((f) => failedOf(h, f.id));
    if (hit.some((e) => e === undefined)) return undefined;
    const last = Math.max(...hit.map((e) => h.indexOf(e!)));
    // Two more samples after the last faulty one.
    return h.length >= last + 3 ? { h, last } : undefined;
  }, 60_000, 'the faults and two sweeps after them');

  const { h, last } = afterFaults;
  const errors: Record<string, string> = {};
  for (const f of faults) {
    const e = failedOf(h, f.id)!;
    const c = e.checks.find((x) => x.id === f.id)!;
    assert.equal(c.ok, false);
    assert.match(c.error ?? '', /^check worker failed: /, f.id);
    errors[f.id] = c.error!;
    // Its neighbours in other jobs were checked as usual in the same sweep.
    for (const g of e.checks.filter((x) => !faults.some((ff) => ff.id === x.id))) {
      assert.notEqual(g.state, 'unknown', `${g.id} in the sweep where ${f.id} failed`);
    }
  }
  assert.equal(errors['ok-throw'], 'check worker failed: injected fault');
  assert.match(errors['ok-hog']!, /memory/i);
  for (const e of h.slice(last + 1)) assert.ok(normal(e), `sweep at ${e.timestamp} is normal again`);
  // Still one daemon, still healthy.
  assert.equal(d.child.exitCode, null);
  assert.equal((await d.get('/healthz')).status, 200);
  t.diagnostic(`errors recorded: ${JSON.stringify(errors)}`);
});

function threads(): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
}

test('a storm of 300 aborted jobs leaves the pool as it was: normal checks answer, no worker thread is left behind', { timeout: 120_000 }, async (t) => {
  const bin = fakeBin(t);
  const dir = scratch(t, 'jm-rel-storm-');
  const pool = createCheckPool({ workerFile: new URL(faultyWorker(dir)), backstopMs: 20, env: { ...process.env, PATH: `${bin.dir}:${process.env['PATH'] ?? ''}` } });
  t.after(() => pool.close());
  const normal: TargetConfig[] = targets(60).map((x) => ({ ...x, use_sudo: false }));
  const check = async () => {
    const r = await pool.checkTargets(normal);
    return r.filter((c) => c.state === 'unknown').length;
  };
  assert.equal(await check(), 0, 'before the storm');
  const threadsBefore = threads();
  const rssBefore = process.memoryUsage().rss;

  // Each stuck job is given up by the main thread's backstop: an abort, which ends that worker thread.
  const stuck: TargetConfig[] = Array.from({ length: 300 }, (_, i) => ({ id: `stuck-${i}`, name: `Stuck ${i}`, service: `stuck-${i}.service`, timeout_seconds: 0.01, use_sudo: false }));
  const storm = await pool.checkTargets(stuck, { batchSize: 1 });
  assert.equal(storm.length, 300);
  for (const r of storm) assert.match(r.error ?? '', /^check worker failed: no answer within /);
  assert.equal(pool.stats().timeouts, 300);

  // Normal checks right after, several times: all answered, nothing queued.
  for (let round = 0; round < 5; round++) assert.equal(await check(), 0, `round ${round} after the storm`);
  assert.equal(pool.stats().queued, 0);
  const threadsAfter = threads();
  // At most the pool's 6 worker threads on top of what there was (each aborted worker is gone, not parked).
  assert.ok(threadsAfter <= threadsBefore + 6, `threads ${threadsBefore} -> ${threadsAfter}`);
  const grownMiB = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
  t.diagnostic(`threads ${threadsBefore} -> ${threadsAfter}; rss grew ${grownMiB.toFixed(1)} MiB over the storm`);
});

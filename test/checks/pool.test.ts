import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DnsMonitorConfig, TargetConfig } from '../../src/config/types.js';
import { createCheckPool, planBatches, type CheckPool, type CheckPoolOptions } from '../../src/checks/pool.js';
import { makeFakeBin, recordedPids, survivors, type FakeBin } from '../workers/fake-bin.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

async function fakeBin(opts?: { systemctl?: boolean }): Promise<FakeBin> {
  const b = await makeFakeBin(opts);
  cleanups.push(() => b.cleanup());
  return b;
}
function pool(opts: CheckPoolOptions): CheckPool {
  const p = createCheckPool(opts);
  cleanups.push(() => p.close());
  return p;
}
/** A worker module written for the test, to misbehave on purpose. */
async function workerModule(source: string): Promise<URL> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jm-worker-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'worker.mjs');
  await writeFile(file, source);
  return pathToFileURL(file);
}

const target = (service: string, extra: Partial<TargetConfig> = {}): TargetConfig => {
  const id = service.replace(/\.service$/, '');
  return { id, name: `Name of ${id}`, service, timeout_seconds: 10, use_sudo: false, ...extra };
};
const states = (results: { id: string; state?: string }[]): string[][] => results.map((r) => [r.id, r.state ?? '']);

test('results come back in target order with id and name from the config, across batches and groups', async () => {
  const bin = await fakeBin();
  const p = pool({ env: bin.env() });
  const targets = [
    target('ok.service'),
    target('bad.service', { timeout_seconds: 5 }),
    target('missing.service'),
    target('activating.service', { timeout_seconds: 5 }),
    target('stopped.service'),
    { ...target('ok.service'), id: 'ok-again', name: 'Second look' },
  ];
  const results = await p.checkTargets(targets, { batchSize: 2 });
  assert.deepEqual(states(results), [
    ['ok', 'active'],
    ['bad', 'failed'],
    ['missing', 'inactive'],
    ['activating', 'activating'],
    ['stopped', 'inactive'],
    ['ok-again', 'active'],
  ]);
  assert.equal(results[5]?.name, 'Second look');
  assert.deepEqual([results[1]?.error, results[1]?.restarts, results[1]?.result], ['failed', 3, 'exit-code']);
  assert.equal(p.stats().completed, 3, '4 + 2 units by timeout, in batches of 2: 3 jobs, no retries');
});

test('a hung unit times out alone: its neighbours are still read, and no process is left', { timeout: 20_000 }, async () => {
  const bin = await fakeBin();
  const p = pool({ env: bin.env() });
  const results = await p.checkTargets([target('ok.service', { timeout_seconds: 0.5 }), target('hang.service', { timeout_seconds: 0.5 }), target('bad.service', { timeout_seconds: 0.5 })]);
  assert.deepEqual(states(results), [['ok', 'active'], ['hang', 'unknown'], ['bad', 'failed']]);
  assert.equal(results[1]?.error, 'timed out after 0.5s');
  assert.equal(results[1]?.ok, false);
  assert.equal(p.stats().timeouts, 2, 'the batch, then the hung unit on its own');
  assert.deepEqual(await survivors(recordedPids(bin.pidFile)), []);
});

test('a unit that makes systemctl fail does not mark its neighbours', async () => {
  const bin = await fakeBin();
  const p = pool({ env: bin.env() });
  const results = await p.checkTargets([target('ok.service'), target('broken.service'), target('bad.service')]);
  assert.deepEqual(states(results), [['ok', 'active'], ['broken', 'unknown'], ['bad', 'failed']]);
  assert.match(results[1]?.error ?? '', /Unit name broken\.service is not valid/);
});

test('no systemd: every unit unknown with the message, without a retry per unit', async () => {
  const bin = await fakeBin();
  const p = pool({ env: bin.env({ FAKE_SYSTEMCTL_MODE: 'nosystemd' }) });
  const results = await p.checkTargets([target('ok.service'), target('bad.service'), target('stopped.service')]);
  for (const r of results) {
    assert.equal(r.state, 'unknown');
    assert.match(r.error ?? '', /System has not been booted with systemd as init system \(PID 1\)\. Can't operate\./);
  }
  assert.equal(p.stats().completed, 1);
});

test('systemctl not on the workers\' PATH: unknown, "not found"', async () => {
  const bin = await fakeBin({ systemctl: false });
  const p = pool({ env: bin.env({}, true) });
  const [r] = await p.checkTargets([target('ok.service')]);
  assert.deepEqual([r?.ok, r?.state, r?.error], [false, 'unknown', 'systemctl not found in PATH']);
});

test('no targets, no jobs', async () => {
  const p = pool({ env: (await fakeBin()).env() });
  assert.deepEqual(await p.checkTargets([]), []);
  assert.equal(p.stats().completed, 0);
});

test('a worker that throws gives unknown results, never a rejection', async () => {
  const workerFile = await workerModule("export async function checkBatch() { throw new Error('boom'); }\n");
  const p = pool({ workerFile });
  const results = await p.checkTargets([target('ok.service'), target('bad.service')]);
  for (const r of results) assert.deepEqual([r.state, r.error], ['unknown', 'check worker failed: boom']);
  assert.equal(p.stats().workerErrors, 1);
});

test('a worker that never answers is given up at the backstop', { timeout: 10_000 }, async () => {
  const workerFile = await workerModule('export function checkBatch() { return new Promise(() => {}); }\n');
  const p = pool({ workerFile, backstopMs: 100 });
  const [r] = await p.checkTargets([target('ok.service', { timeout_seconds: 0.2 })]);
  assert.deepEqual([r?.state, r?.error], ['unknown', 'check worker failed: no answer within 0.3s']);
  assert.equal(p.stats().timeouts, 1);
});

test('a worker that runs out of memory dies alone; the pool goes on', { timeout: 30_000 }, async () => {
  const workerFile = await workerModule(
    "export async function checkBatch(job) {\n" +
      "  if (job.units[0].service === 'ok.service') return { results: job.units.map((u) => ({ id: u.id, name: u.name, ok: true, state: 'active' })) };\n" +
      '  const hog = []; for (;;) hog.push(new Array(1e5).fill(hog.length));\n' +
      '}\n',
  );
  const p = pool({ workerFile, maxOldGenerationSizeMb: 16 });
  const [hog] = await p.checkTargets([target('hog.service')]);
  assert.equal(hog?.state, 'unknown');
  assert.match(hog?.error ?? '', /^check worker failed: /);
  const [ok] = await p.checkTargets([target('ok.service')]);
  assert.equal(ok?.state, 'active');
});

test('closing ends jobs in flight as unknown, and later checks answer "closed"', { timeout: 10_000 }, async () => {
  const bin = await fakeBin();
  const p = pool({ env: bin.env() });
  const pending = p.checkTargets([target('hang.service', { timeout_seconds: 8 })]);
  // Close once the hang is really running: the fake has recorded its shell and its sleep.
  while (recordedPids(bin.pidFile).length < 2) await new Promise((r) => setTimeout(r, 20));
  await p.close();
  const [r] = await pending;
  assert.equal(r?.state, 'unknown');
  assert.match(r?.error ?? '', /^check worker failed: /);
  assert.deepEqual(await survivors(recordedPids(bin.pidFile)), [], 'the hung command is killed with the pool');
  const [late] = await p.checkTargets([target('ok.service')]);
  assert.deepEqual([late?.state, late?.error], ['unknown', 'check pool is closed']);
});

test('DNS probe through the pool: ok against a local server, refused once it is gone', async () => {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const cfg: DnsMonitorConfig = { enabled: true, target: `127.0.0.1:${port}`, interval_seconds: 10, timeout_seconds: 2 };
  const p = pool({ now: () => Date.parse('2026-11-28T10:00:00Z') });
  const ok = await p.probeDns(cfg);
  assert.deepEqual([ok.ok, ok.target, 'error' in ok], [true, cfg.target, false]);
  await new Promise<void>((r) => server.close(() => r()));
  const refused = await p.probeDns(cfg);
  assert.deepEqual([refused.ok, refused.latency_ms, refused.error], [false, 0, `dial tcp 127.0.0.1:${port}: connect: connection refused`]);
});

test('DNS probe with a broken worker is a failed sample, not a rejection', async () => {
  const workerFile = await workerModule("export async function probeDns() { throw new Error('kaput'); }\n");
  const p = pool({ workerFile, now: () => Date.parse('2026-11-28T10:00:00Z') });
  const r = await p.probeDns({ enabled: true, target: '127.0.0.1:9', interval_seconds: 10, timeout_seconds: 1 });
  assert.deepEqual(r, { target: '127.0.0.1:9', ok: false, latency_ms: 0, error: 'check worker failed: kaput', checked_at: '2026-11-28T10:00:00.000Z' });
});

test('batches group by sudo and timeout, at most batchSize units each; 0 s means the default 15 s', () => {
  const plans = planBatches(
    [target('a.service'), target('b.service', { use_sudo: true }), target('c.service'), target('d.service'), target('e.service', { timeout_seconds: 0 })],
    2,
  );
  assert.deepEqual(
    plans.map((p) => [p.job.use_sudo, p.job.timeout_ms, p.job.units.map((u) => u.service), p.indexes]),
    [
      [false, 10_000, ['a.service', 'c.service'], [0, 2]],
      [false, 10_000, ['d.service'], [3]],
      [true, 10_000, ['b.service'], [1]],
      [false, 15_000, ['e.service'], [4]],
    ],
  );
});

test('invalid options are rejected with a precise message', () => {
  assert.throws(() => createCheckPool({ maxThreads: 0 }), /maxThreads must be a positive integer, got 0/);
});

test('one hung unit in a batch: its neighbours are retried and stay correct', async () => {
  const bin = await fakeBin();
  const p = pool({ env: bin.env(), maxThreads: 2 });
  const targets = [target('hang-one.service', { timeout_seconds: 1 }), ...Array.from({ length: 7 }, (_, i) => target(`ok-${i}.service`, { timeout_seconds: 1 }))];
  const results = await p.checkTargets(targets);
  assert.equal(results[0]!.state, 'unknown');
  assert.match(results[0]!.error ?? '', /timed out after 1s$/);
  assert.deepEqual(results.slice(1).map((r) => r.state), Array(7).fill('active'));
});

test('when systemd answers neither the batch nor a whole wave of single checks, the rest are not retried', async () => {
  const bin = await fakeBin();
  const p = pool({ env: bin.env(), maxThreads: 2 });
  const targets = Array.from({ length: 8 }, (_, i) => target(`hang-${i}.service`, { timeout_seconds: 1 }));
  const results = await p.checkTargets(targets);
  assert.ok(results.every((r) => r.state === 'unknown' && /^timed out after 1s/.test(r.error ?? '')));
  // The first wave (one per thread) was retried; the other six were reported at once.
  assert.equal(results.filter((r) => /not retried/.test(r.error ?? '')).length, 6);
});

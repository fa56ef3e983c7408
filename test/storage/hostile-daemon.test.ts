/**
 * A real daemon process started on a data directory an attacker prepared:
 * links where today's segments and incidents.jsonl belong, a segment dated
 * 2030, a gzip bomb as a closed day. It must start, sample, answer, and
 * write nothing outside its data directory.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { eventually, startDaemonProcess } from '../helpers/daemon.js';
import { fakeBin, scratch, targets } from '../reliability/support.js';

type Entry = { timestamp: string };

const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);

test('a daemon on a hostile data directory starts, samples and answers; the files outside are untouched', { timeout: 60_000 }, async (t) => {
  const bin = fakeBin(t);
  const dir = scratch(t, 'jm-hostile-');
  const data = join(dir, 'data');
  const outside = join(dir, 'outside');
  mkdirSync(data);
  mkdirSync(outside);
  const victim = join(outside, 'victim');
  writeFileSync(victim, 'precious\n');
  const today = dayKey(Date.now());
  const yesterday = dayKey(Date.now() - 86_400_000);
  symlinkSync(victim, join(data, `status-${today}.jsonl`));
  symlinkSync(join(outside, 'dangling'), join(data, `connectivity-${today}.jsonl`));
  symlinkSync(victim, join(data, 'incidents.jsonl'));
  writeFileSync(join(data, 'status-2030-01-01.jsonl'), `${JSON.stringify({ timestamp: '2030-01-01T10:00:00Z', checks: [] })}\n`);
  const member = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  writeFileSync(join(data, `status-${yesterday}.cols.gz`), Buffer.concat(Array.from({ length: 16 }, () => member)));

  const config = { interval_minutes: 0.01, data_directory: 'data', node_id: 'h', node_name: 'Hostile', targets: targets(2), monitor_dns: { enabled: false } };
  const d = await startDaemonProcess({ config, dir, pathPrepend: [bin.dir] });
  try {
    const history = await eventually(async () => {
      const h = ((await d.get('/api/node/history')).body.history ?? []) as Entry[];
      return h.length >= 2 ? h : undefined;
    }, 20_000, 'samples after start');
    assert.ok(history.every((e) => !e.timestamp.startsWith('2030')), 'nothing from the future-dated file is served');
    assert.equal((await d.get('/healthz')).status, 200);
  } finally {
    await d.stop();
  }
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the link target is untouched');
  assert.deepEqual(readdirSync(outside), ['victim'], 'nothing created outside the data directory');
  const logs = d.logs();
  assert.match(logs, new RegExp(`status-${today}\\.jsonl: .*symbolic link.*moved aside`));
  assert.match(logs, /incidents: .*incidents\.jsonl: .*symbolic link.*moved aside/);
  assert.match(logs, /status-2030-01-01\.jsonl: dated 2030-01-01, ahead of the clock/);
  assert.match(logs, new RegExp(`status-${yesterday}\\.cols\\.gz: damaged compact segment \\(not a compact segment\\)`));
  const names = readdirSync(data);
  assert.ok(names.includes(`status-${today}.jsonl`), 'a real segment of its own for today');
  assert.ok(names.some((n) => n.startsWith('status-2030-01-01.jsonl.future-')));
});

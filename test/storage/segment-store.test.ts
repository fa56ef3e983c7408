/**
 * The segment store as its two users meet it: the local history (FileStore,
 * a fdatasync per sample) and a peer's copy (PeerStore, one per refresh).
 * Each case runs against both and expects the same outcome.
 */
import assert from 'node:assert/strict';
import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { dataAndOutside } from './support.js';
import { gzipSync } from 'node:zlib';
import { FileStore } from '../../src/history/file-store.js';
import { INCIDENTS_FILE, openIncidentStore } from '../../src/incidents/store.js';
import { createLogger } from '../../src/log.js';
import { PeerStore, peerDir } from '../../src/peers/store.js';
import type { StatusEntry } from '../../src/types.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const D0 = Date.parse('2026-11-20T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const sample = (t: number): StatusEntry => ({ timestamp: iso(t), checks: [{ id: 'web', name: 'Web', ok: true, state: 'active' }] });

/** One store as the test drives it: add samples, read them back, close. */
interface Driven {
  dir: string;
  notes: string[];
  add(samples: StatusEntry[]): Promise<void>;
  times(): string[];
  close(): Promise<void>;
}

type Opener = (dataDir: string, now: number, retentionDays?: number) => Promise<Driven>;

const local: Opener = async (dataDir, now, retentionDays = 30) => {
  const notes: string[] = [];
  const r = await FileStore.open({ dir: dataDir, retentionDays, now: () => now, onNote: (n) => notes.push(`${n.file ?? ''}: ${n.message}`) });
  assert.ok(r.ok, r.ok ? '' : r.error);
  notes.push(...r.report.notes.map((n) => `${n.file ?? ''}: ${n.message}`));
  return {
    dir: dataDir,
    notes,
    add: async (samples) => {
      for (const s of samples) assert.deepEqual(await r.store.appendStatus(s), { ok: true });
    },
    times: () => r.store.status.entries(-Infinity, Infinity).map((e) => e.timestamp),
    close: async () => void (await r.store.close()),
  };
};

const peer: Opener = async (dataDir, now, retentionDays = 30) => {
  const notes: string[] = [];
  const dir = peerDir(dataDir, 'node-b');
  const r = await PeerStore.open({ dir, retentionDays, now: () => now, onNote: (m) => notes.push(m) });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return {
    dir,
    notes,
    add: async (samples) => {
      r.store.add(samples, [], {});
      await r.store.flushed();
      assert.equal(r.store.lastWriteError, undefined);
    },
    times: () => r.store.status.entries(-Infinity, Infinity).map((e) => e.timestamp),
    close: () => r.store.close(),
  };
};

const STORES: Array<[string, Opener]> = [['local history', local], ["a peer's copy", peer]];

const scratch = (t: TestContext) => dataAndOutside(t, 'jm-segstore-');

/** Writes two days (the first compacted) and returns the store's directory. */
async function twoDays(open: Opener, data: string): Promise<string> {
  // Samples of the next day close the first (the writer moves on and compacts it).
  const s = await open(data, D0 + 12 * 60 * MIN);
  await s.add([sample(D0 + 60 * MIN), sample(D0 + 61 * MIN)]);
  await s.add([sample(D0 + DAY + 60 * MIN), sample(D0 + DAY + 61 * MIN)]);
  await s.close();
  return s.dir;
}

for (const [what, open] of STORES) {
  test(`${what}: a damaged compact day and a torn last line are recovered the one way: moved aside byte for byte, cut, reported`, async (t) => {
    const { data } = scratch(t);
    const dir = await twoDays(open, data);
    const compact = join(dir, 'status-2026-11-20.cols.gz');
    const damaged = readFileSync(compact);
    const mid = Math.floor(damaged.length / 2);
    damaged.writeUInt8(damaged.readUInt8(mid) ^ 0xff, mid);
    writeFileSync(compact, damaged);
    const jsonl = join(dir, 'status-2026-11-21.jsonl');
    writeFileSync(jsonl, `${readFileSync(jsonl, 'utf8')}{"timestamp":"2026-11-21T02:00:00Z","che`);

    const again = await open(data, D0 + DAY + 12 * 60 * MIN);
    assert.deepEqual(again.times(), [iso(D0 + DAY + 60 * MIN), iso(D0 + DAY + 61 * MIN)], 'the intact day loads');
    const aside = readdirSync(dir).find((n) => n.startsWith('status-2026-11-20.cols.gz.damaged-'));
    assert.ok(aside !== undefined, readdirSync(dir).join(', '));
    assert.deepEqual(readFileSync(join(dir, aside)), damaged, 'never deleted: kept aside as it was');
    assert.ok(again.notes.some((n) => /damaged compact segment .*kept aside as/.test(n)), again.notes.join('\n'));
    assert.ok(again.notes.some((n) => /dropped a damaged last line/.test(n)), again.notes.join('\n'));
    await again.add([sample(D0 + DAY + 62 * MIN)]);
    await again.close();
    assert.ok(readFileSync(jsonl, 'utf8').endsWith(`${JSON.stringify(sample(D0 + DAY + 62 * MIN))}\n`), 'the new line starts on a line of its own');
  });

  test(`${what}: a symlink where a segment belongs is never followed: moved aside, its target untouched, the store keeps working`, async (t) => {
    const { data, outside } = scratch(t);
    const dir = await twoDays(open, data);
    const victim = join(outside, 'victim');
    writeFileSync(victim, 'precious\n');
    const links: Array<[string, string]> = [
      ['status-2026-11-21.jsonl', victim], // today's file, to a file outside
      ['status-2026-11-19.jsonl', victim], // a closed day, which start would compact (truncate) and delete
      ['status-2026-11-18.cols.gz', victim], // a compact day
      ['connectivity-2026-11-21.jsonl', join(outside, 'dangling')], // today's probe file, dangling
      ['status-2026-11-17.jsonl', outside], // to a directory
    ];
    rmSync(join(dir, 'status-2026-11-21.jsonl'));
    for (const [name, target] of links) symlinkSync(target, join(dir, name));

    const again = await open(data, D0 + DAY + 12 * 60 * MIN);
    await again.add([sample(D0 + DAY + 70 * MIN)]);
    // A link planted while running, for the next day: the writer moves it aside too.
    symlinkSync(victim, join(dir, 'status-2026-11-22.jsonl'));
    await again.add([sample(D0 + 2 * DAY + 10 * MIN)]);
    await again.close();

    assert.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the link target is untouched');
    assert.deepEqual(readdirSync(outside).sort(), ['victim'], 'nothing created outside');
    for (const name of [...links.map(([n]) => n), 'status-2026-11-22.jsonl']) {
      assert.ok(readdirSync(dir).some((n) => n.startsWith(`${name}.link-`) && lstatSync(join(dir, n)).isSymbolicLink()), `${name}: the link kept aside`);
    }
    assert.ok(lstatSync(join(dir, 'status-2026-11-22.jsonl')).isFile());
    assert.ok(again.notes.filter((n) => /symbolic link/.test(n)).length >= links.length + 1, again.notes.join('\n'));
    const third = await open(data, D0 + 2 * DAY + 12 * 60 * MIN);
    assert.deepEqual(third.times(), [iso(D0 + 60 * MIN), iso(D0 + 61 * MIN), iso(D0 + DAY + 70 * MIN), iso(D0 + 2 * DAY + 10 * MIN)]);
    await third.close();
  });

  test(`${what}: a segment hard-linked to a file outside is moved aside before it is written; the other file is untouched`, async (t) => {
    const { data, outside } = scratch(t);
    const dir = await twoDays(open, data);
    const victim = join(outside, 'victim');
    writeFileSync(victim, 'precious\n');
    rmSync(join(dir, 'status-2026-11-21.jsonl'));
    linkSync(victim, join(dir, 'status-2026-11-21.jsonl'));
    const again = await open(data, D0 + DAY + 12 * 60 * MIN);
    await again.add([sample(D0 + DAY + 70 * MIN)]);
    await again.close();
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.ok(again.notes.some((n) => /hard links/.test(n)), again.notes.join('\n'));
  });

  test(`${what}: segments dated in the future are set aside, never written to, and retention goes on`, async (t) => {
    const { data } = scratch(t);
    const dir = await twoDays(open, data);
    const futureLines = `${JSON.stringify(sample(Date.parse('2030-01-01T10:00:00Z')))}\n`;
    writeFileSync(join(dir, 'status-2030-01-01.jsonl'), futureLines);
    writeFileSync(join(dir, 'connectivity-2029-06-01.cols.gz'), readFileSync(join(dir, 'status-2026-11-20.cols.gz')));
    writeFileSync(join(dir, 'status-2026-11-23.jsonl'), futureLines); // tomorrow + 1: past the one-day tolerance

    const now = D0 + DAY + 12 * 60 * MIN;
    const again = await open(data, now, 1);
    await again.add([sample(now + MIN)]);
    await again.close();
    const names = readdirSync(dir);
    for (const name of ['status-2030-01-01.jsonl', 'connectivity-2029-06-01.cols.gz', 'status-2026-11-23.jsonl']) {
      assert.ok(!names.includes(name), `${name} no longer under a segment name`);
      assert.ok(names.some((n) => n.startsWith(`${name}.future-`)), `${name}: kept aside`);
      assert.ok(again.notes.some((n) => n.includes(name) && /ahead of the clock/.test(n)), `${name}: reported`);
    }
    assert.equal(readFileSync(join(dir, names.find((n) => n.startsWith('status-2030-01-01.jsonl.future-'))!), 'utf8'), futureLines, 'kept as it was');
    assert.ok(readFileSync(join(dir, 'status-2026-11-21.jsonl'), 'utf8').includes(iso(now + MIN)), "the new sample went to today's file");
    assert.ok(!again.times().some((t) => t.startsWith('2030')), 'no sample from the future is served');

    // Retention still works: four days later, the old days go at start.
    const later = await open(data, now + 4 * DAY, 1);
    await later.add([sample(now + 4 * DAY)]);
    await later.close();
    const kept = await open(data, now + 4 * DAY, 1);
    await kept.close();
    assert.ok(!readdirSync(dir).includes('status-2026-11-20.cols.gz'), readdirSync(dir).join(', '));
  });

  test(`${what}: a gzip bomb stored as a compact day is refused at its bound, moved aside and reported; the rest loads`, async (t) => {
    const { data } = scratch(t);
    const dir = await twoDays(open, data);
    const member = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const bombs: Array<[string, Buffer]> = [
      ['status-2026-11-20.cols.gz', Buffer.concat(Array.from({ length: 16 }, () => member))], // 1 GiB of zeros in ~1 MB
      ['status-2026-11-19.cols.gz', Buffer.concat([readFileSync(join(dir, 'status-2026-11-20.cols.gz')), ...Array.from({ length: 16 }, () => member)])], // valid, then 1 GiB
    ];
    for (const [name, bytes] of bombs) writeFileSync(join(dir, name), bytes);
    const again = await open(data, D0 + DAY + 12 * 60 * MIN);
    assert.deepEqual(again.times(), [iso(D0 + DAY + 60 * MIN), iso(D0 + DAY + 61 * MIN)]);
    for (const [name] of bombs) {
      assert.ok(readdirSync(dir).some((n) => n.startsWith(`${name}.damaged-`)), `${name}: kept aside`);
      assert.ok(again.notes.some((n) => n.includes(name) && /damaged compact segment \((not a compact segment|inflates past)/.test(n)), again.notes.join('\n'));
    }
    await again.add([sample(D0 + DAY + 62 * MIN)]);
    await again.close();
  });
}

for (const [what, open] of STORES) {
  test(`${what}: a restart with a shorter retention removes the old days at start, not an hour later`, async (t) => {
    const { data } = scratch(t);
    let dir = '';
    for (let d = 0; d < 6; d++) {
      const s = await open(data, D0 + d * DAY + 12 * 60 * MIN);
      await s.add([sample(D0 + d * DAY + 12 * 60 * MIN)]);
      await s.close();
      dir = s.dir;
    }
    const days = () => readdirSync(dir).filter((n) => n.startsWith('status-')).sort();
    assert.equal(days().length, 6);
    const again = await open(data, D0 + 5 * DAY + 13 * 60 * MIN, 2);
    assert.deepEqual(days(), ['status-2026-11-22.cols.gz', 'status-2026-11-23.cols.gz', 'status-2026-11-24.cols.gz', 'status-2026-11-25.jsonl']);
    assert.ok(again.notes.some((n) => /status-2026-11-21\.cols\.gz: removed segment past retention/.test(n)), again.notes.join('\n'));
    assert.deepEqual(again.times(), [iso(D0 + 4 * DAY + 12 * 60 * MIN), iso(D0 + 5 * DAY + 12 * 60 * MIN)]);
    await again.close();
  });
}

test("a peer's sample stamped far in the future never makes a file dated in the future", async (t) => {
  const { data } = scratch(t);
  const now = D0 + 12 * 60 * MIN;
  const s = await peer(data, now);
  await s.add([sample(now), sample(Date.parse('9999-12-31T23:59:59Z'))]);
  await s.close();
  assert.deepEqual(readdirSync(s.dir).filter((n) => n.startsWith('status-')), ['status-2026-11-20.jsonl']);
  assert.equal(readFileSync(join(s.dir, 'status-2026-11-20.jsonl'), 'utf8').trimEnd().split('\n').length, 2);
});

test("a peer's data folder replaced by a symlink (peers/<id>, or peers itself) is moved aside; the target gets nothing", async (t) => {
  for (const linked of ['peers/node-b', 'peers']) {
    const { data, outside } = scratch(t);
    mkdirSync(join(data, 'peers'), { recursive: true });
    if (linked === 'peers') rmSync(join(data, 'peers'), { recursive: true });
    symlinkSync(outside, join(data, linked));
    const s = await peer(data, D0 + 12 * 60 * MIN);
    await s.add([sample(D0 + 60 * MIN)]);
    await s.close();
    assert.deepEqual(readdirSync(outside), [], `${linked}: nothing written outside`);
    assert.ok(lstatSync(join(data, 'peers', 'node-b')).isDirectory());
    assert.ok(s.notes.some((n) => /symbolic link where a data folder belongs/.test(n)), `${linked}: ${s.notes.join('\n')}`);
  }
});

test('incidents.jsonl replaced by a symlink is moved aside and logged; incidents are written to a file of their own', async (t) => {
  const { data, outside } = scratch(t);
  const victim = join(outside, 'victim');
  writeFileSync(victim, 'precious\n');
  symlinkSync(victim, join(data, INCIDENTS_FILE));
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), now: () => D0 });
  const r = await openIncidentStore({ dir: data, retentionDays: 30, now: () => D0, log });
  assert.ok(r.ok);
  r.value.record({
    type: 'open',
    incident: { id: 'unit:web:1', kind: 'unit', subject: 'web', name: 'Web', node: 'n1', started_at: iso(D0), last_failure_at: iso(D0), states: ['failed'], errors: ['boom'], samples: 1 },
  });
  await r.value.close();
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.ok(lstatSync(join(data, INCIDENTS_FILE)).isFile());
  assert.match(readFileSync(join(data, INCIDENTS_FILE), 'utf8'), /unit:web:1/);
  assert.ok(lines.some((l) => /incidents: .*symbolic link .*moved aside/.test(l)), lines.join('\n'));
});

import assert from 'node:assert/strict';
import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { dataAndOutside } from './support.js';
import { appendDurably, writeDurably } from '../../src/storage/durable.js';
import { ensureDataDirectory, openDataFile } from '../../src/storage/safe-fs.js';

const scratch = (t: TestContext) => dataAndOutside(t, 'jm-safefs-');

test('append and replace never write through a symlink: the link is moved aside, the target untouched', async (t) => {
  const { data, outside } = scratch(t);
  const victim = join(outside, 'victim');
  writeFileSync(victim, 'precious\n');
  const notes: string[] = [];
  const onNote = (m: string) => void notes.push(m);
  symlinkSync(victim, join(data, 'a.jsonl'));
  await appendDurably(join(data, 'a.jsonl'), 'line\n', onNote);
  symlinkSync(victim, join(data, 'b.json'));
  await writeDurably(join(data, 'b.json'), 'new\n', onNote);
  // The temporary file of a replace is a target too.
  symlinkSync(victim, join(data, 'c.json.tmp'));
  await writeDurably(join(data, 'c.json'), 'new\n', onNote);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.equal(readFileSync(join(data, 'a.jsonl'), 'utf8'), 'line\n');
  assert.ok(lstatSync(join(data, 'b.json')).isFile());
  assert.equal(readFileSync(join(data, 'c.json'), 'utf8'), 'new\n');
  assert.match(notes[0] ?? '', /symbolic link .*moved aside as .*a\.jsonl\.link-/);
  assert.ok(readdirSync(data).some((n) => n.startsWith('a.jsonl.link-')), 'the link itself is kept');
});

test('a dangling link and a link to a directory are moved aside; nothing is created at their targets', async (t) => {
  const { data, outside } = scratch(t);
  const nowhere = join(outside, 'would-be-created');
  symlinkSync(nowhere, join(data, 'dangling'));
  symlinkSync(outside, join(data, 'to-dir'));
  const notes: string[] = [];
  for (const name of ['dangling', 'to-dir']) {
    const h = await openDataFile(join(data, name), 'append', (m) => notes.push(m));
    await h.close();
  }
  assert.deepEqual(readdirSync(outside), []);
  assert.equal(notes.length, 2);
});

test('without a note callback a link is refused (ELOOP), not moved, not followed', async (t) => {
  const { data, outside } = scratch(t);
  writeFileSync(join(outside, 'victim'), 'x');
  symlinkSync(join(outside, 'victim'), join(data, 'f'));
  await assert.rejects(openDataFile(join(data, 'f'), 'read'), { code: 'ELOOP' });
  await assert.rejects(openDataFile(join(data, 'f'), 'append'), { code: 'ELOOP' });
  assert.ok(lstatSync(join(data, 'f')).isSymbolicLink());
});

test('a hard link cannot be seen by O_NOFOLLOW, but its link count can: a file to be written is moved aside first', async (t) => {
  const { data, outside } = scratch(t);
  const victim = join(outside, 'victim');
  writeFileSync(victim, 'precious\n');
  linkSync(victim, join(data, 'seg.jsonl'));
  const notes: string[] = [];
  await appendDurably(join(data, 'seg.jsonl'), 'line\n', (m) => notes.push(m));
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.equal(readFileSync(join(data, 'seg.jsonl'), 'utf8'), 'line\n');
  assert.match(notes[0] ?? '', /other hard links/);
  // Reading a hard-linked file is allowed: it changes nothing.
  const h = await openDataFile(join(data, readdirSync(data).find((n) => n.startsWith('seg.jsonl.aside-'))!), 'read');
  await h.close();
});

test('a data folder replaced by a link (peers/<id>) is moved aside and made anew; the link target gets nothing', async (t) => {
  const { data, outside } = scratch(t);
  mkdirSync(join(data, 'peers'));
  symlinkSync(outside, join(data, 'peers', 'node-b'));
  const notes: string[] = [];
  await ensureDataDirectory(join(data, 'peers', 'node-b'), (m) => notes.push(m));
  assert.ok(lstatSync(join(data, 'peers', 'node-b')).isDirectory());
  assert.match(notes[0] ?? '', /symbolic link where a data folder belongs/);
  assert.deepEqual(readdirSync(outside), []);
});

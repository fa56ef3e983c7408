import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readJsonl, scanJsonlFile } from '../../src/storage/jsonl.js';

const accept = (v: unknown): { n: number; pad: string } | string =>
  typeof v === 'object' && v !== null && typeof (v as { n?: unknown }).n === 'number' ? (v as { n: number; pad: string }) : 'no n';

test('a file read in chunks gives the same records, bad lines and offsets as the whole file at once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'jm-jsonl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const parts: string[] = [];
  // Lines from a few bytes to over one 4 MiB chunk, so lines straddle chunk boundaries; multi-byte characters too.
  for (let n = 0; n < 400; n++) {
    const size = n === 200 ? 5 * 1024 * 1024 : (n * 7919) % 60_000;
    parts.push(`${JSON.stringify({ n, pad: 'é'.repeat(size / 2) })}\n`);
    if (n === 100) parts.push('not json\n', '\n', '{"m":1}\n');
  }
  parts.push('{"n": 401, "pad": "torn');
  const text = parts.join('');
  const file = join(dir, 'big.jsonl');
  await writeFile(file, text);

  const streamed: number[] = [];
  const scan = await scanJsonlFile(file, accept, (r) => streamed.push(r.n));
  const whole = await readJsonl(Buffer.from(text), accept);
  assert.deepEqual(streamed, Array.from({ length: 400 }, (_, n) => n));
  assert.deepEqual(whole.values.map((r) => r.n), streamed);
  assert.deepEqual({ ...scan }, { count: whole.count, bad: whole.bad, goodEnd: whole.goodEnd, missingNewline: whole.missingNewline });
  const badAt = Buffer.byteLength(parts.slice(0, 101).join(''));
  assert.deepEqual(scan.bad.map((b) => [b.offset, b.tail, b.reason]), [
    [badAt, false, 'not JSON'],
    [badAt + 'not json\n\n'.length, false, 'no n'],
    [Buffer.byteLength(text) - Buffer.byteLength(parts[parts.length - 1]!), true, 'incomplete line'],
  ]);
  assert.equal(scan.goodEnd, Buffer.byteLength(text) - Buffer.byteLength(parts[parts.length - 1]!));
});

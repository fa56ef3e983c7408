import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decodeContainer, encodeContainer, readContainer } from '../../src/storage/columnar.js';

const MiB = 1024 * 1024;

/** `copies` gzip members of `member` MiB of zeros each: gunzip reads them as one stream. */
function zeroBomb(memberMiB: number, copies: number, prefix: Buffer[] = []): Buffer {
  const member = gzipSync(Buffer.alloc(memberMiB * MiB), { level: 9 });
  return Buffer.concat([...prefix, ...Array.from({ length: copies }, () => member)]);
}

/** The raw container bytes (before gzip) of a small valid segment, with its header JSON replaced when asked. */
function rawContainer(header: Record<string, unknown>): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(8);
  head.write('JMC1', 0, 'latin1');
  head.writeUInt32LE(json.length, 4);
  return Buffer.concat([head, json, Buffer.alloc(((8 + json.length + 7) & ~7) - 8 - json.length)]);
}

test('a container reads back the header and columns it was given', async () => {
  const file = encodeContainer({ kind: 'status', version: 1, extra: 'x' }, { times: new Float64Array([1, 2, 3]), codes: new Uint16Array([7, 8, 9]) });
  for (const r of [decodeContainer(file, 'status'), await readContainer(file, 'status')]) {
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.value.header['extra'], 'x');
    assert.deepEqual([...(r.value.columns.get('times') ?? [])], [1, 2, 3]);
    assert.deepEqual([...(r.value.columns.get('codes') ?? [])], [7, 8, 9]);
  }
});

test('gzip bombs of several shapes are refused with a reason, at a bound far below what they inflate to', async () => {
  const validSmall = encodeContainer({ kind: 'status', version: 1 }, { times: new Float64Array([1]) });
  const cases: Array<[string, Buffer, RegExp]> = [
    // 1 GiB of zeros in about 1 MB: the first MiB shows it is no segment.
    ['1 GiB of zeros', zeroBomb(64, 16), /not a compact segment/],
    // A valid segment, then 1 GiB of zeros as further gzip members: stops just past the size its header declares.
    ['a valid segment, then 1 GiB of zeros', zeroBomb(64, 16, [validSmall]), /inflates past the \d+ bytes its header declares/],
    // A valid header declaring 2^31 doubles: refused from the header alone.
    ['a header declaring 16 GiB of columns', gzipSync(rawContainer({ kind: 'status', version: 1, columns: [{ name: 'times', type: 'f64', length: 2 ** 31 }] })), /declares \d+ bytes, over the bound/],
    // A header length field of 4 GiB - 1.
    ['a header length of 4 GiB', gzipSync(Buffer.concat([Buffer.from('JMC1', 'latin1'), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.alloc(64)])), /header of \d+ bytes is over the bound/],
  ];
  for (const [what, file, reason] of cases) {
    assert.ok(file.length < 2 * MiB, `${what}: a small file (${file.length} bytes)`);
    const r = await readContainer(file, 'status', 64 * MiB);
    assert.equal(r.ok, false, what);
    assert.match((r as { error: string }).error, reason, what);
  }
});

test('the synchronous decoder has the same bound: 1 GiB of zeros fails at maxOutputLength', () => {
  const r = decodeContainer(zeroBomb(64, 16), 'status', 32 * MiB);
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, /not a readable compact segment/);
});

test('a segment larger than the bound it is read with is refused even when well formed', async () => {
  const file = encodeContainer({ kind: 'status', version: 1 }, { times: new Float64Array(300_000) });
  assert.ok((await readContainer(file, 'status')).ok);
  const r = await readContainer(file, 'status', MiB);
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, /over the bound of 1048576 bytes/);
});

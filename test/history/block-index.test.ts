import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockIndex, type BlockRow } from '../../src/history/block-index.js';
import { CLS_ERROR, CLS_SUCCESS } from '../../src/history/check-class.js';

// Result codes: 0 = ok, 1 = failed.
const okOf = Uint8Array.from([1, 0]);
const clsOf = Uint8Array.from([CLS_SUCCESS, CLS_ERROR]);

/** A log of `n` samples of targets 0 and 1; target 1 fails in the samples listed. */
function build(n: number, failing: number[]): { index: BlockIndex; rowAt: (i: number) => BlockRow } {
  const codes = new Uint8Array(2 * n);
  for (const i of failing) codes[2 * i + 1] = 1;
  const ids = Uint32Array.from([0, 1]);
  const rowAt = (i: number): BlockRow => ({ ids, codes, offset: 2 * i });
  const index = new BlockIndex(() => okOf, () => clsOf);
  for (let i = 0; i < n; i++) index.add(i, rowAt(i));
  return { index, rowAt };
}

test('whole blocks sum to the same counts as the samples they hold', () => {
  const { index } = build(100, [5, 40, 41, 99]);
  const [kA, kB] = index.wholeBlocks(0, 100);
  assert.deepEqual([kA, kB], [0, 3]); // samples 0-95; 96-99 are a partial block
  const seen: Array<[number, number, number, number]> = [];
  index.sum(kA, kB, (id, p, c, f) => seen.push([id, p, c, f]));
  assert.deepEqual(seen, [[0, 96, 96, CLS_SUCCESS], [1, 93, 96, CLS_SUCCESS | CLS_ERROR]]);
});

test('flags and the first error of a block lead straight to the failing sample', () => {
  const { index } = build(100, [40, 41]);
  assert.equal(index.flags(0, 1), CLS_SUCCESS);
  assert.equal(index.flags(1, 1), CLS_SUCCESS | CLS_ERROR);
  assert.equal(index.firstDetail(0, 1), -1);
  assert.equal(index.firstDetail(1, 1), 40);
  assert.equal(index.flags(1, 7), -1, 'a target without samples');
});

test('dropping the oldest samples keeps block boundaries and the summaries right', () => {
  const { index, rowAt } = build(100, [40, 70]);
  // The log moved its rows down by 10: sample i is now what was i + 10.
  index.dropOldest(10, 90, (i) => rowAt(i + 10));
  assert.equal(index.startOf(0), -10);
  assert.equal(index.blockOf(0), 0);
  assert.equal(index.firstDetail(1, 1), 30, 'old sample 40');
  const seen: number[] = [];
  index.sum(0, 1, (id, _p, c) => {
    if (id === 0) seen.push(c);
  });
  assert.deepEqual(seen, [22], 'the first block holds what remains of it');
});

test('a rebuild from the middle gives the same summaries as adding in order', () => {
  const { index, rowAt } = build(64, [3, 50]);
  const fresh = build(64, [3, 50]).index;
  index.rebuildFrom(40, 64, rowAt);
  for (const k of [0, 1]) for (const id of [0, 1]) assert.equal(index.flags(k, id), fresh.flags(k, id));
  assert.equal(index.firstDetail(1, 1), 50);
});

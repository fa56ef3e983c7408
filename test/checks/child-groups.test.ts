import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childGroups, createChildGroupsBuffer } from '../../src/checks/child-groups.js';

test('records, lists and forgets groups; a full table says so', () => {
  const buffer = createChildGroupsBuffer(2);
  const a = childGroups(buffer);
  const b = childGroups(buffer);
  assert.equal(a.add(101), true);
  assert.equal(b.add(202), true);
  assert.equal(a.add(303), false);
  assert.deepEqual(b.list().sort(), [101, 202]);
  b.remove(101);
  assert.deepEqual(a.list(), [202]);
  assert.equal(a.add(303), true);
});

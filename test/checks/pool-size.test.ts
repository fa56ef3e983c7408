import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poolThreadsFor } from '../../src/checks/pool-size.js';

test('threads follow the jobs a sweep can run at once, between 2 and 3', () => {
  assert.equal(poolThreadsFor(2, false), 2);
  assert.equal(poolThreadsFor(0, false), 2);
  assert.equal(poolThreadsFor(60, false), 2);
  assert.equal(poolThreadsFor(120, true), 3);
  assert.equal(poolThreadsFor(500, true), 3);
});

/**
 * src/cjs.ts: CommonJS packages through require(), and a package borrowed for
 * one call (yaml, read at start and on a reload) leaves nothing loaded behind.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { test } from 'node:test';
import { borrowCjs, requireCjs } from '../src/cjs.js';
import { parseConfig } from '../src/config/parse.js';

const yamlFiles = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes(`${sep}node_modules${sep}yaml${sep}`));

test('a borrowed package is out of the module cache after the call, and loads again on the next', () => {
  const first = borrowCjs<typeof import('yaml'), unknown>('yaml', (yaml) => {
    assert.ok(yamlFiles().length > 10, 'yaml and its files are loaded during the call');
    return yaml.parse('a: [1, 2]');
  });
  assert.deepEqual(first, { a: [1, 2] });
  assert.deepEqual(yamlFiles(), [], 'no file of yaml stays in the cache');
  assert.deepEqual(borrowCjs<typeof import('yaml'), unknown>('yaml', (yaml) => yaml.parse('b: x')), { b: 'x' });
  assert.deepEqual(yamlFiles(), []);
});

test('reading a config leaves yaml unloaded, errors placed by line as before', () => {
  const bad = parseConfig('targets:\n  - id: a\n    service: "bad name!"\n', { hostname: 'h' });
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && bad.issues.some((i) => i.path === 'targets[0].service' && i.line === 3), JSON.stringify(bad));
  assert.deepEqual(yamlFiles(), []);
});

test('a package borrowed while it throws is released too', () => {
  assert.throws(() => borrowCjs('yaml', () => {
    throw new Error('boom');
  }), /boom/);
  assert.deepEqual(yamlFiles(), []);
});

test('requireCjs gives the same module object an import does', async () => {
  const imported = (await import('koa')).default;
  assert.equal(requireCjs('koa'), imported);
});

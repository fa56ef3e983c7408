import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeConnectivity, decodeStatus, encodeConnectivity, encodeStatus } from '../../src/history/columnar.js';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import { SampleLog } from '../../src/history/sample-log.js';
import type { ConnectivityStatus, StatusEntry } from '../../src/types.js';

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/history/node-a/${name}`, import.meta.url), 'utf8')) as T;

test('a status segment decodes to the same samples, dictionaries and latest', () => {
  const log = SampleLog.fromEntries(fixture<StatusEntry[]>('status_history.json'));
  const decoded = decodeStatus(encodeStatus(log.toColumns()));
  assert.ok(decoded.ok);
  const back = new SampleLog();
  back.appendColumns(decoded.value);
  assert.deepEqual(back.entries(-Infinity, Infinity), log.entries(-Infinity, Infinity));
  assert.deepEqual(back.latest(), log.latest());
});

test('a connectivity segment decodes to the same probes', () => {
  const log = ConnectivityLog.fromEntries(fixture<ConnectivityStatus[]>('connectivity_history.json'));
  const decoded = decodeConnectivity(encodeConnectivity(log.toColumns()));
  assert.ok(decoded.ok);
  const back = new ConnectivityLog();
  back.appendColumns(decoded.value);
  assert.deepEqual(back.entries(-Infinity, Infinity), log.entries(-Infinity, Infinity));
});

test('damaged, truncated or foreign files are reported, never thrown', () => {
  const good = encodeStatus(SampleLog.fromEntries(fixture<StatusEntry[]>('status_history.json')).toColumns());
  const flipped = Buffer.from(good);
  const mid = Math.floor(flipped.length / 2);
  flipped[mid] = flipped[mid]! ^ 0xff;
  for (const bad of [flipped, good.subarray(0, good.length - 9), Buffer.from('not gzip'), encodeConnectivity(new ConnectivityLog().toColumns())]) {
    const r = decodeStatus(bad);
    assert.equal(r.ok, false);
    assert.equal(typeof (r as { error: string }).error, 'string');
  }
});

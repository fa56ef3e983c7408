import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import type { ConnectivityStatus } from '../../src/types.js';

const T0 = Date.parse('2026-11-28T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const reference = (): ConnectivityStatus[] =>
  JSON.parse(readFileSync(new URL('../../../test/fixtures/history/node-a/connectivity_history.json', import.meta.url), 'utf8')) as ConnectivityStatus[];
const probe = (t: number, ok: boolean, extra: Partial<ConnectivityStatus> = {}): ConnectivityStatus => ({
  target: '1.1.1.1:53', ok, latency_ms: ok ? 2.5 : 0, ...(ok ? {} : { error: 'timeout' }), checked_at: iso(t), ...extra,
});

test('probe samples come back in the wire shape (error omitted when absent), checked_at in ms precision', () => {
  const input = [...reference(), probe(T0 + 3_600_000, true)];
  const log = ConnectivityLog.fromEntries(input);
  const out = log.entries(-Infinity, Infinity);
  assert.equal(
    JSON.stringify(out),
    JSON.stringify(input.map((p) => ({ ...p, checked_at: iso(Date.parse(p.checked_at)) }))),
  );
  assert.equal('error' in out[out.length - 1]!, false);
});

test('limit keeps the newest; ends inclusive; out-of-order probes are inserted in order; latest is the last appended', () => {
  const log = new ConnectivityLog();
  for (const k of [0, 1, 2, 4, 3]) log.append(probe(T0 + k * 10_000, k % 2 === 0));
  assert.deepEqual(log.entries(T0 + 10_000, T0 + 30_000).map((p) => Date.parse(p.checked_at) - T0), [10_000, 20_000, 30_000]);
  assert.deepEqual(log.entries(-Infinity, Infinity, 2).map((p) => Date.parse(p.checked_at) - T0), [30_000, 40_000]);
  // The latest is the probe appended last (T0 + 30 s, after the clock stepped back), not the newest in time.
  assert.equal(log.latest()!.checked_at, iso(T0 + 30_000));
  assert.equal(log.append({ ...probe(T0, true), checked_at: 'nope' }), false);
});

test('latest keeps extra fields; pruning drops old probes', () => {
  const log = new ConnectivityLog();
  log.append(probe(T0, false, { error: 'refused' }));
  log.append({ ...probe(T0 + 10_000, true), resolver: 'x' } as ConnectivityStatus);
  assert.equal((log.latest() as unknown as { resolver: string }).resolver, 'x');
  assert.equal(log.pruneBefore(T0 + 5_000), 1);
  assert.deepEqual(log.entries(-Infinity, Infinity), [probe(T0 + 10_000, true)]);
});

test('toColumns / appendColumns round trip', () => {
  const src = ConnectivityLog.fromEntries(reference());
  const dst = new ConnectivityLog();
  dst.appendColumns(src.toColumns());
  assert.deepEqual(dst.entries(-Infinity, Infinity), src.entries(-Infinity, Infinity));
  assert.deepEqual(dst.latest(), src.latest());
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { SampleLog, type SampleColumns } from '../../src/history/sample-log.js';
import { COMPACT_PAGE_TYPE, decodeHistoryPage, encodeHistoryPage } from '../../src/peers/compact-page.js';
import { decodePeerBody } from '../../src/peers/decode.js';
import { DEFAULT_PEER_LIMITS } from '../../src/peers/limits.js';
import { encodeContainer } from '../../src/storage/columnar.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const fields = { node: { id: 'node-b', name: 'Node B', interval_minutes: 5 }, targets: [{ id: 'web', name: 'Web', service: 'web.service', timeout_seconds: 30, use_sudo: false }], more: true };

function columns(n: number, startMs = NOW - n * 60_000): SampleColumns {
  const log = new SampleLog();
  for (let i = 0; i < n; i++) {
    log.append({ timestamp: new Date(startMs + i * 60_000).toISOString(), checks: [{ id: 'web', name: 'Web', ok: i % 3 !== 0, state: i % 3 !== 0 ? 'active' : 'failed' }, { id: 'db', name: 'DB', ok: true, state: 'active' }] });
  }
  return log.toColumns();
}

/** A page whose header and columns are written by hand (what a hostile peer could send). */
function raw(header: Record<string, unknown>, cols: Record<string, Float64Array | Uint32Array | Uint16Array>): Buffer {
  return encodeContainer({ kind: 'history-page', version: 1, fields, ids: ['web'], pairs: [[0, 'Web']], layouts: [[0]], results: [{ ok: true }], ...header }, cols);
}

const decode = (body: Buffer, limits = DEFAULT_PEER_LIMITS) => decodeHistoryPage(body, limits, NOW);
const errorOf = (r: ReturnType<typeof decode>) => (r.ok ? 'decoded' : r.error);

describe('compact history pages', () => {
  it('decode to the same samples, node, targets and `more` as were encoded', () => {
    const cols = columns(50);
    const r = decode(encodeHistoryPage({ ...fields, connectivity: [{ target: '1.1.1.1', ok: true, latency_ms: 3, checked_at: new Date(NOW - 1000).toISOString() }] }, cols));
    assert.ok(r.ok, r.ok ? '' : r.error);
    const back = new SampleLog();
    back.appendColumns(r.value.columns!);
    const original = new SampleLog();
    original.appendColumns(cols);
    assert.deepEqual(back.entries(-Infinity, Infinity), original.entries(-Infinity, Infinity));
    assert.equal(r.value.node?.id, 'node-b');
    assert.equal(r.value.targets?.[0]?.service, 'web.service');
    assert.equal(r.value.more, true);
    assert.equal(r.value.connectivity.length, 1);
    assert.deepEqual(r.value.history, []);
  });

  it('are decoded by the peer-decode handler when the answer says it is one', () => {
    const r = decodePeerBody({ kind: 'history', body: encodeHistoryPage(fields, columns(3)), contentType: COMPACT_PAGE_TYPE, limits: DEFAULT_PEER_LIMITS, nowMs: NOW });
    assert.ok(r.ok && r.kind === 'history' && r.value.columns?.times.length === 3);
    const asJson = decodePeerBody({ kind: 'history', body: encodeHistoryPage(fields, columns(3)), contentType: 'application/json', limits: DEFAULT_PEER_LIMITS, nowMs: NOW });
    assert.match(asJson.ok ? '' : asJson.error, /invalid JSON/, 'a compact page sent as JSON is refused as JSON');
  });

  it('are held to the limits of a JSON answer: entries, checks per sample, times', () => {
    assert.equal(errorOf(decode(encodeHistoryPage(fields, columns(50)), { ...DEFAULT_PEER_LIMITS, maxEntries: 10 })), 'history: 50 entries, more than the 10 allowed (peer_max_entries)');
    assert.equal(errorOf(decode(encodeHistoryPage(fields, columns(5)), { ...DEFAULT_PEER_LIMITS, maxTargets: 1 })), 'history.checks: 2 checks in a sample, more than the 1 allowed (peer_max_targets)');
    const future = errorOf(decode(encodeHistoryPage(fields, columns(5, NOW + 3600_000))));
    assert.match(future, /^history\[0\]\.timestamp: 2026-12-01T13:00:00.000Z is ahead of this node's clock by more than 5 min/);
    const unordered = raw({}, { times: Float64Array.from([NOW - 1000, NOW - 5000]), layoutOf: Uint32Array.from([0, 0]), codes: Uint16Array.from([0, 0]) });
    assert.equal(errorOf(decode(unordered)), 'history[1].timestamp: older than the entry before it (entries must be oldest first)');
    const nan = raw({}, { times: Float64Array.from([NaN]), layoutOf: Uint32Array.from([0]), codes: Uint16Array.from([0]) });
    assert.match(errorOf(decode(nan)), /^compact page: inconsistent status segment: times/);
    const huge = raw({}, { times: Float64Array.from([-1e300]), layoutOf: Uint32Array.from([0]), codes: Uint16Array.from([0]) });
    assert.equal(errorOf(decode(huge)), 'history[0].timestamp: not a time');
  });

  it('refuse indexes out of range and columns that do not add up', () => {
    const badResult = raw({}, { times: Float64Array.from([NOW - 1000]), layoutOf: Uint32Array.from([0]), codes: Uint16Array.from([7]) });
    assert.equal(errorOf(decode(badResult)), 'compact page: inconsistent status segment: result index');
    const badLayout = raw({}, { times: Float64Array.from([NOW - 1000]), layoutOf: Uint32Array.from([3]), codes: Uint16Array.from([0]) });
    assert.equal(errorOf(decode(badLayout)), 'compact page: inconsistent status segment: layout index');
    const short = raw({}, { times: Float64Array.from([NOW - 2000, NOW - 1000]), layoutOf: Uint32Array.from([0, 0]), codes: Uint16Array.from([0]) });
    assert.equal(errorOf(decode(short)), 'compact page: inconsistent status segment: codes length');
    assert.match(errorOf(decode(Buffer.from('not gzip'))), /^compact page: not a readable compact segment/);
    assert.match(errorOf(decode(gzipSync(Buffer.from('JMC1garbage')))), /^compact page: /);
  });

  it('stop inflating at the bound: a page declaring or inflating to more is refused', () => {
    const big = encodeHistoryPage(fields, columns(2000));
    assert.match(errorOf(decodeHistoryPage(big, DEFAULT_PEER_LIMITS, NOW, 4096)), /^compact page: not a readable compact segment/);
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
    assert.ok(bomb.length < 64 * 1024);
    assert.match(errorOf(decodeHistoryPage(bomb, DEFAULT_PEER_LIMITS, NOW, 1024 * 1024)), /^compact page: /);
  });

  it("cut the peer's long strings as a JSON answer's are, and check its JSON part with the same schema", () => {
    const long = raw(
      { ids: ['w'.repeat(5000)], pairs: [[0, 'n'.repeat(5000)]], results: [{ ok: false, state: 's'.repeat(5000), error: 'e'.repeat(50_000) }] },
      { times: Float64Array.from([NOW - 1000]), layoutOf: Uint32Array.from([0]), codes: Uint16Array.from([0]) },
    );
    const r = decode(long);
    assert.ok(r.ok, r.ok ? '' : r.error);
    const c = r.value.columns!;
    assert.ok(c.ids[0]!.length < 300 && c.pairs[0]![1].length < 300 && c.results[0]!.state!.length < 300);
    assert.ok(c.results[0]!.error!.length < 1100);
    const badNode = raw({ fields: { ...fields, node: { id: 7 } } }, { times: new Float64Array(0), layoutOf: new Uint32Array(0), codes: new Uint16Array(0) });
    assert.equal(errorOf(decode(badNode)), 'node.id: expected string, got 7');
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const nested = raw({ fields: { ...fields, extra: deep } }, { times: new Float64Array(0), layoutOf: new Uint32Array(0), codes: new Uint16Array(0) });
    assert.match(errorOf(decode(nested)), /nested deeper than 32/);
  });
});

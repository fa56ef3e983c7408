import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPeerDecodePool, inThreadDecoder } from '../../src/peers/decode-pool.js';
import { decodePeerBody, type DecodeJob, type DecodeKind } from '../../src/peers/decode.js';
import { createShapeScanner } from '../../src/peers/json-shape.js';
import { DEFAULT_PEER_LIMITS, MAX_ERROR_CHARS, MAX_NAME_CHARS, boundText, peerLimitsFrom, type PeerLimits } from '../../src/peers/limits.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function job(kind: DecodeKind, body: unknown, limits: Partial<PeerLimits> = {}): DecodeJob {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { kind, body: Buffer.from(text), limits: { ...DEFAULT_PEER_LIMITS, ...limits }, nowMs: NOW };
}
const decode = (kind: DecodeKind, body: unknown, limits: Partial<PeerLimits> = {}) => decodePeerBody(job(kind, body, limits));
const error = (kind: DecodeKind, body: unknown, limits: Partial<PeerLimits> = {}) => {
  const r = decode(kind, body, limits);
  assert.equal(r.ok, false, 'expected a rejection');
  return r.ok ? '' : r.error;
};
const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, name: `T ${i}`, service: `t${i}.service`, timeout_seconds: 10, use_sudo: false }));
const entry = (ms: number, checks = 1) => ({ timestamp: iso(ms), checks: Array.from({ length: checks }, (_, i) => ({ id: `t${i}`, name: `T ${i}`, ok: true, state: 'active' })) });
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('peer limits: targets per peer (peer_max_targets)', () => {
  it('takes exactly the limit and refuses one more, naming the key', () => {
    assert.equal(decode('status', { targets: targets(50) }, { maxTargets: 50 }).ok, true);
    assert.equal(error('status', { targets: targets(51) }, { maxTargets: 50 }), 'targets: 51 targets, more than the 50 allowed (peer_max_targets)');
  });
  it('counts the checks of one sample too, in status and in every history entry', () => {
    assert.equal(decode('status', { status: entry(NOW, 50) }, { maxTargets: 50 }).ok, true);
    assert.equal(error('status', { status: entry(NOW, 51) }, { maxTargets: 50 }), 'status.checks: 51 checks, more than the 50 allowed (peer_max_targets)');
    assert.equal(error('history', { history: [entry(NOW - 2000), entry(NOW - 1000, 51)] }, { maxTargets: 50 }), 'history[1].checks: 51 checks, more than the 50 allowed (peer_max_targets)');
  });
  it('refuses 60,000 targets by default (the payload that broke /api/cluster)', () => {
    assert.equal(error('history', { targets: targets(60_000), history: [] }), 'targets: 60000 targets, more than the 5000 allowed (peer_max_targets)');
    assert.equal(decode('history', { targets: targets(5_000), history: [] }).ok, true);
  });
});

describe('peer limits: entries per answer (peer_max_entries)', () => {
  it('takes exactly the limit and refuses one more, in history and in connectivity', () => {
    const history = Array.from({ length: 100 }, (_, i) => entry(NOW - (100 - i) * 1000, 0));
    assert.equal(decode('history', { history }, { maxEntries: 100 }).ok, true);
    assert.equal(error('history', { history: [...history, entry(NOW, 0)] }, { maxEntries: 100 }), 'history: 101 entries, more than the 100 allowed (peer_max_entries)');
    const conn = Array.from({ length: 101 }, (_, i) => ({ target: 'dns', ok: true, latency_ms: 1, checked_at: iso(NOW - i * 1000) }));
    assert.equal(error('history', { history: [], connectivity: conn }, { maxEntries: 100 }), 'connectivity: 101 entries, more than the 100 allowed (peer_max_entries)');
  });
  it('refuses a million entries by default, from their bytes, before parsing', () => {
    const body = `{"history":[${Array.from({ length: 1_000_000 }, () => '{"timestamp":"2026-12-04T11:00:00Z","checks":[]}').join(',')}]}`;
    assert.equal(error('history', body), 'body has a list of more than 100000 entries (peer_max_entries)');
  });
  it('config keys set the two user limits; the rest keep their defaults', () => {
    assert.deepEqual(peerLimitsFrom({}), DEFAULT_PEER_LIMITS);
    assert.deepEqual(peerLimitsFrom({ peer_max_targets: 20_000, peer_max_entries: 7 }), { ...DEFAULT_PEER_LIMITS, maxTargets: 20_000, maxEntries: 7 });
  });
});

describe('json shape scanner: nesting and list length from the bytes', () => {
  const scan = (chunks: string[], maxDepth = 32, maxListEntries = 100) => {
    const s = createShapeScanner({ maxDepth, maxListEntries });
    let found: string | undefined;
    for (const c of chunks) found = s.push(Buffer.from(c)) ?? found;
    return found;
  };
  it('counts brackets outside strings only, across chunk boundaries', () => {
    assert.equal(scan([nested(32)]), undefined);
    assert.equal(scan([nested(33)]), 'body nested deeper than 32 levels');
    assert.equal(scan([JSON.stringify({ a: '[[[[[[', b: '\\"[[[[' })], 2), undefined);
    assert.equal(scan(['{"a":"\\\\"}'], 1), undefined, 'an escaped backslash ends before the quote');
    assert.equal(scan(['{"a":"\\', '"[[["}'], 1), undefined, 'an escape split across two chunks');
    assert.equal(scan(['[[', '[]]]'], 2), 'body nested deeper than 2 levels');
  });
  it('counts list entries per list, not commas in objects or strings', () => {
    const list = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(',')}]`;
    assert.equal(scan([list(100)]), undefined);
    assert.equal(scan([list(101)]), 'body has a list of more than 100 entries (peer_max_entries)');
    assert.equal(scan([`{"a":${list(100)},"b":${list(100)}}`]), undefined, 'two lists at the limit');
    assert.equal(scan([`[${Array.from({ length: 100 }, () => '{"a":1,"b":[2,3]}').join(',')}]`]), undefined, 'commas inside the entries do not count');
    assert.equal(scan([`{${Array.from({ length: 500 }, (_, i) => `"k${i}":"a,b,c"`).join(',')}}`]), undefined, 'an object with many keys');
    assert.equal(scan([`[${list(100)},${list(100)}]`]), undefined, 'nested lists each at the limit');
  });
  it('refuses past either bound in the peer decode, with the longest list the limits allow', () => {
    assert.equal(error('history', { history: [], connectivity: Array(201).fill(null) }, { maxEntries: 200, maxTargets: 100 }), 'body has a list of more than 200 entries (peer_max_entries)');
  });
  it('refuses a body nested deeper than 32 before parsing it, object or list, shallow or a million deep', () => {
    // 32 deep is parsed, and the schema says what is wrong with it.
    assert.match(error('status', `{"targets":${nested(31)}}`), /^targets\[0\]: expected an object/);
    for (const depth of [33, 1000, 1_000_000]) assert.equal(error('status', nested(depth)), 'body nested deeper than 32 levels', `depth ${depth}`);
    assert.equal(error('history', `{"x":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`), 'body nested deeper than 32 levels');
  });
});

describe('peer limits: strings from a peer are cut, with a marker', () => {
  it('ids, names, states at 256 characters; errors at 1024', () => {
    const long = 'n'.repeat(MAX_NAME_CHARS + 1);
    const r = decode('status', { node: { id: long, name: 'x'.repeat(MAX_NAME_CHARS) }, status: { timestamp: iso(NOW), checks: [{ id: long, name: long, ok: false, state: long, error: 'e'.repeat(5_000_000) }] } });
    assert.ok(r.ok && r.kind === 'status');
    const v = r.value;
    assert.equal(v.node?.id, `${'n'.repeat(MAX_NAME_CHARS)}…(1 more)`);
    assert.equal(v.node?.name, 'x'.repeat(MAX_NAME_CHARS), 'at the limit: kept whole');
    const c = v.status?.checks[0];
    assert.equal(c?.state, `${'n'.repeat(MAX_NAME_CHARS)}…(1 more)`);
    assert.equal(c?.error, `${'e'.repeat(MAX_ERROR_CHARS)}…(${5_000_000 - MAX_ERROR_CHARS} more)`);
  });
  it('a 10 MB string where a number belongs is a short error, not a 10 MB one', () => {
    for (const [kind, body] of [
      ['status', { node: { id: 'a', interval_minutes: 'x'.repeat(10_000_000) } }],
      ['history', { history: [{ timestamp: iso(NOW), checks: [{ id: 'a', restarts: '9'.repeat(10_000_000) }] }] }],
      ['history', { connectivity: [{ target: 'd', latency_ms: '1'.repeat(10_000_000), checked_at: iso(NOW) }] }],
    ] as const) {
      const e = error(kind, body);
      assert.ok(e.length < 400, `${e.length} characters`);
      assert.match(e, /expected number, got "x*(1|9)*…\(\d+ more\)/);
    }
  });
  it('a 10 MB time string is refused by its length', () => {
    assert.match(error('history', { history: [{ timestamp: '2'.repeat(10_000_000), checks: [] }] }), /^history\[0\]\.timestamp: expected an RFC 3339 time \(at most 64 characters\)/);
  });
  it('boundText keeps surrogate pairs whole', () => {
    assert.equal(boundText('ab😀cd', 3), 'ab…(4 more)');
    assert.equal(boundText('abc', 3), 'abc');
  });
});

describe('peer limits: clock skew (5 min)', () => {
  it('takes a time up to 5 min ahead, refuses one beyond, wherever it is', () => {
    const ok = NOW + 5 * 60_000;
    const bad = ok + 1000;
    assert.equal(decode('history', { history: [entry(ok)] }).ok, true);
    assert.equal(error('history', { history: [entry(NOW - 1000), entry(bad)] }), `history[1].timestamp: ${iso(bad)} is ahead of this node's clock by more than 5 min (the clock skew tolerated); not stored`);
    assert.match(error('status', { status: entry(bad) }), /^status\.timestamp: .* is ahead of this node's clock/);
    assert.match(error('status', { connectivity: { target: 'd', ok: true, latency_ms: 1, checked_at: iso(bad) } }), /^connectivity\.checked_at: /);
    assert.match(error('history', { connectivity: [{ target: 'd', ok: true, latency_ms: 1, checked_at: iso(bad) }] }), /^connectivity\[0\]\.checked_at: /);
  });
  it('refuses 9999-12-31 and a year 275760 time, from the first entry or the last', () => {
    for (const t of ['9999-12-31T23:59:59Z', '+275760-09-13T00:00:00.000Z', '2100-01-01T00:00:00.123456789Z']) {
      assert.match(error('history', { history: [entry(NOW - 1000), { timestamp: t, checks: [] }] }), /^history\[1\]\.timestamp: .* is ahead of this node's clock/, t);
      assert.match(error('history', { history: [{ timestamp: t, checks: [] }, entry(NOW)] }), /^history\[0\]\.timestamp: /, t);
    }
  });
});

describe('peer limits: the interval a peer reports', () => {
  it('is bounded: 1e-9 s, 0 s and a year are refused; 1 s and whole minutes are taken', () => {
    for (const bad of [1e-9, 0, 0.5, 365 * 86400]) assert.match(error('status', { node: { id: 'a', interval_seconds: bad } }), /^node\.interval_seconds: must be between 1 and 604800/, String(bad));
    assert.match(error('status', { node: { id: 'a', interval_minutes: 1e9 } }), /^node\.interval_minutes: must be between 0 and 10080/);
    assert.equal(decode('status', { node: { id: 'a', interval_seconds: 1, interval_minutes: 1 } }).ok, true);
    assert.equal(decode('status', { node: { id: 'a', interval_minutes: 0 } }).ok, true, 'the original sends 0 for an unset interval');
  });
});

describe('peer.json on load (kind meta)', () => {
  it('is held to the same limits', () => {
    assert.equal(decode('meta', { node: { id: 'a', name: 'A', interval_minutes: 1 }, targets: targets(3), last_success_at: iso(NOW) }).ok, true);
    assert.equal(error('meta', { targets: targets(60_000) }), 'targets: 60000 targets, more than the 5000 allowed (peer_max_targets)');
    assert.match(error('meta', { status: entry(Date.parse('9999-12-31T23:59:59Z')) }), /^status\.timestamp: /);
    assert.equal(error('meta', nested(100)), 'body nested deeper than 32 levels');
    assert.equal(error('meta', ''), 'empty response');
  });
});

describe('the decode pool (a real worker thread)', () => {
  const pool = createPeerDecodePool({ idleTimeout: 1000 });
  after(() => pool.close());
  it('gives what decoding on this thread gives, good bodies and bad', async () => {
    const bodies: Array<[DecodeKind, unknown]> = [
      ['status', { node: { id: 'a', name: 'A', interval_minutes: 5 }, status: entry(NOW - 1000, 3), targets: targets(3) }],
      ['history', { history: [entry(NOW - 2000), entry(NOW - 1000)], connectivity: null, more: true }],
      ['history', { targets: targets(6_000) }],
      ['status', nested(100_000)],
      ['status', '<html>'],
      ['history', { history: [entry(Date.parse('9999-12-31T23:59:59Z'))] }],
    ];
    for (const [kind, body] of bodies) assert.deepEqual(await pool.decode(job(kind, body)), await inThreadDecoder.decode(job(kind, body)), JSON.stringify(body).slice(0, 80));
  });
  it('takes a body that shares its memory with other buffers (copied, not moved)', async () => {
    const small = Buffer.from(JSON.stringify({ node: { id: 'tiny' } })); // from Node's shared pool
    const r = await pool.decode({ kind: 'status', body: small, limits: DEFAULT_PEER_LIMITS, nowMs: NOW });
    assert.ok(r.ok && r.kind === 'status');
    assert.equal(r.value.node?.id, 'tiny');
    assert.equal(small.toString(), '{"node":{"id":"tiny"}}', 'the caller keeps its bytes');
  });
  it('answers after close with an error, never a rejection', async () => {
    const p = createPeerDecodePool();
    await p.close();
    assert.deepEqual(await p.decode(job('status', {})), { ok: false, error: 'peer decoding is closed' });
  });
});

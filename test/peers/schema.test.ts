import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nodeHistorySchema, nodeStatusSchema, parseHistoryPayload, parsePayload } from '../../src/peers/schema.js';
import { capture } from '../helpers/fake-peer.js';

const status = (body: unknown) => parsePayload(nodeStatusSchema, body);
const history = (body: unknown) => parsePayload(nodeHistorySchema, body);

/** Every value, at any depth, that is null or undefined (our types never hold either). */
function holes(value: unknown, path = ''): string[] {
  if (value === null || value === undefined) return [path];
  if (typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => holes(v, `${path}.${k}`));
}

describe('peer payloads: what the original sends', () => {
  it('reads a captured /api/node/status of the original', () => {
    const r = status(capture('node-b/node-status.json'));
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.deepEqual(r.value.node, { id: 'node-b', name: 'Node B', interval_minutes: 1, connectivity_interval_seconds: 10 });
    assert.equal(r.value.status?.timestamp, '2026-11-28T10:37:52.030927576Z');
    assert.deepEqual(r.value.status?.checks.map((c) => [c.id, c.ok, c.state, c.error]), [
      ['ok', true, 'active', undefined],
      ['bad', false, 'failed', 'failed'],
      ['hang', false, 'unknown', 'signal: killed'],
    ]);
    assert.equal('error' in r.value.status!.checks[0]!, false, 'an ok check has no error key, as sent');
    assert.equal(r.value.connectivity?.ok, false);
    assert.equal(r.value.targets?.length, 3);
    assert.deepEqual(holes(r.value), []);
  });

  it('reads a node that has no sample yet (no status) and a target without id or name', () => {
    const r = status(capture('empty-state/node-status.json'));
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.value.status, undefined);
    assert.deepEqual(r.value.targets?.[1], { id: '', name: '', service: 'nonexistent.service', timeout_seconds: 0, use_sudo: false });
    const odd = status(capture('odd-targets/node-status.json'));
    assert.ok(odd.ok);
    assert.equal(odd.value.status?.checks[1]?.id, '');
  });

  it('reads a captured 30-day history and an empty one sent as "history": null', () => {
    const full = history(capture('node-a/node-history-30d.json'));
    assert.ok(full.ok, full.ok ? '' : full.error);
    assert.equal(full.value.history.length, 3);
    assert.equal(full.value.connectivity.length, 15);
    assert.equal(full.value.history[0]?.checks.length, 3);
    const empty = history(capture('empty-state/node-history-range-24h.json'));
    assert.ok(empty.ok, empty.ok ? '' : empty.error);
    assert.deepEqual(empty.value.history, []);
    assert.deepEqual(empty.value.connectivity, []);
  });

  it('accepts "{}" (what the original accepted from a peer that answered it) as a node without data', () => {
    assert.deepEqual(status({}), { ok: true, value: {} });
    assert.deepEqual(history({}), { ok: true, value: { history: [], connectivity: [] } });
  });

  it('accepts null wherever Go may send one', () => {
    const r = history({
      node: { id: 'n', name: 'N', interval_minutes: 5 },
      history: [{ timestamp: '2026-11-28T10:00:00Z', checks: null }],
      connectivity: null,
      connectivity_timeline: null,
      targets: null,
    });
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.deepEqual(r.value, {
      node: { id: 'n', name: 'N', interval_minutes: 5 },
      history: [{ timestamp: '2026-11-28T10:00:00Z', checks: [] }],
      connectivity: [],
    });
    const s = status({ node: null, status: null, connectivity: null, targets: null });
    assert.deepEqual(s, { ok: true, value: {} });
  });

  it('fills missing fields with Go zero values, as the original decodes them', () => {
    const r = status({ node: {}, status: { timestamp: '2026-11-28T10:00:00Z', checks: [{}] } });
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.deepEqual(r.value.node, { id: '', name: '', interval_minutes: 0 });
    assert.deepEqual(r.value.status?.checks, [{ id: '', name: '', ok: false }]);
  });
});

describe('peer payloads: what a node of ours adds', () => {
  it('keeps our extra check fields and reads the feature announcement', () => {
    const r = status({
      node: {
        id: 'n', name: 'N', interval_minutes: 1, interval_seconds: 3,
        jobmonitor: { implementation: 'jobmonitor-ts', version: '0.1.0', features: ['since', 'stale'] },
      },
      status: { timestamp: '2026-11-28T10:00:00.123Z', checks: [{ id: 'a', name: 'A', ok: true, state: 'active', sub_state: 'running', restarts: 2, duration_ms: 4 }] },
    });
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.deepEqual(r.value.node?.jobmonitor, { implementation: 'jobmonitor-ts', version: '0.1.0', features: ['since', 'stale'] });
    assert.equal(r.value.node?.interval_seconds, 3);
    assert.deepEqual(r.value.status?.checks[0], { id: 'a', name: 'A', ok: true, state: 'active', sub_state: 'running', restarts: 2, duration_ms: 4 });
  });

  it('drops fields it does not know, and ignores a malformed feature announcement instead of failing', () => {
    const r = status({
      node: { id: 'n', name: 'N', interval_minutes: 1, jobmonitor: 'yes', color: 'red' },
      status: { timestamp: '2026-11-28T10:00:00Z', checks: [], extra: { deep: true } },
      surprise: [1, 2, 3],
    });
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.deepEqual(r.value, { node: { id: 'n', name: 'N', interval_minutes: 1 }, status: { timestamp: '2026-11-28T10:00:00Z', checks: [] } });
  });
});

describe('peer payloads: rejected, with where', () => {
  it('names the path and the problem of the first wrong value', () => {
    const entry = (checks: unknown) => ({ timestamp: '2026-11-28T10:00:00Z', checks });
    assert.deepEqual(history({ history: [entry([]), entry([{ id: 'a', name: 'A', ok: 'yes' }])] }), {
      ok: false,
      error: 'history[1].checks[0].ok: expected boolean, got "yes"',
    });
    assert.deepEqual(history({ history: [{ timestamp: 'yesterday', checks: [] }] }), {
      ok: false,
      error: 'history[0].timestamp: expected an RFC 3339 time',
    });
    assert.deepEqual(status({ node: { id: 7 } }), { ok: false, error: 'node.id: expected string, got 7' });
    assert.deepEqual(history({ history: 'none' }), { ok: false, error: 'history: expected Array, got "none"' });
  });

  it('wants an object at the top and in lists of objects', () => {
    assert.deepEqual(status([]), { ok: false, error: 'body: expected an object' });
    assert.deepEqual(status('ok'), { ok: false, error: 'body: expected an object' });
    assert.deepEqual(status(null), { ok: false, error: 'body: expected an object' });
    assert.deepEqual(history({ history: [[]] }), { ok: false, error: 'history[0]: expected an object' });
  });
});

describe('parseHistoryPayload (lists checked a slice at a time)', () => {
  it('gives what parsePayload gives, for good and bad bodies alike', async () => {
    const entry = (ts: string, checks: unknown) => ({ timestamp: ts, checks });
    const bodies: unknown[] = [
      capture('node-a/node-history-30d.json'),
      capture('empty-state/node-history-range-24h.json'),
      {},
      [],
      { history: 'none' },
      { node: { id: 7 } },
      { history: Array.from({ length: 2500 }, (_, i) => entry(new Date(i * 1000).toISOString(), null)) },
      { history: [...Array.from({ length: 2100 }, (_, i) => entry(new Date(i * 1000).toISOString(), [])), entry('x', [])] },
      { history: [entry('2026-11-28T10:00:00Z', [{ id: 'a', ok: 1 }])] },
      { connectivity: [{ target: 't', ok: true, latency_ms: 'fast', checked_at: '2026-11-28T10:00:00Z' }] },
    ];
    for (const body of bodies) assert.deepEqual(await parseHistoryPayload(body), history(body));
  });
});

/**
 * The wire schemas describe what we send, and what a peer sent is sent on
 * (in /api/cluster): a payload in the original's loosest form (nulls for
 * lists, missing fields, unknown fields, nanosecond times), once read by the
 * peer schemas, has exactly the documented shape.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as v from 'valibot';
import { nodeHistorySchema, nodeStatusSchema, parsePayload } from '../src/peers/schema.js';
import { ConnectivityStatusSchema, NodeInfoSchema, StatusEntrySchema, TargetSchema } from '../src/wire-schema.js';

const LOOSE_STATUS = {
  node: { id: 'go-node', name: 'Go node', interval_minutes: 5, extra: 'dropped' },
  status: {
    timestamp: '2026-12-04T12:00:00.123456789Z',
    checks: [
      { id: 'web', name: 'Web', ok: true, state: 'active', error: null },
      { id: 'db', ok: false, state: 'failed', error: 'failed', unknown_field: 1 },
    ],
  },
  connectivity: { target: '1.1.1.1:53', ok: false, latency_ms: null, error: 'timeout', checked_at: '2026-12-04T12:00:00Z' },
  targets: [{ id: 'web', name: 'Web', service: 'web.service', url: null, timeout_seconds: 15, use_sudo: false, color: 'blue' }],
};

describe('wire schemas', () => {
  it("a peer's loosest status answer, once read, has the documented shape", () => {
    const r = parsePayload(nodeStatusSchema, LOOSE_STATUS);
    assert.ok(r.ok, r.ok ? '' : r.error);
    const p = r.value;
    for (const [schema, value] of [[NodeInfoSchema, p.node], [StatusEntrySchema, p.status], [ConnectivityStatusSchema, p.connectivity], [TargetSchema, p.targets?.[0]]] as const) {
      const checked = v.safeParse(schema, value);
      assert.ok(checked.success, JSON.stringify(checked.issues?.[0]?.message));
    }
  });

  it('a history answer with null lists reads as empty lists of the documented shape', () => {
    const r = parsePayload(nodeHistorySchema, { node: null, history: null, connectivity: null, targets: null });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { history: [], connectivity: [] });
  });

  it('are closed: an unknown field or a missing required one is refused', () => {
    const entry = { timestamp: '2026-12-04T12:00:00Z', checks: [{ id: 'a', name: 'A', ok: true }] };
    assert.ok(v.safeParse(StatusEntrySchema, entry).success);
    assert.equal(v.safeParse(StatusEntrySchema, { ...entry, checks: [{ id: 'a', name: 'A', ok: true, secret: 1 }] }).success, false);
    assert.equal(v.safeParse(StatusEntrySchema, { checks: [] }).success, false);
  });
});

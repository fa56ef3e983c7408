import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  attempted, conflictOf, failed, initialRecord, isSyncing, isUp, nextStep, replacedNode, succeeded, syncFields, type SyncRecord,
} from '../../src/peers/peer-state.js';

const T = Date.parse('2026-12-01T10:00:00Z');
const fresh: SyncRecord = { fresh: false, failures: 0 };

describe('peer state: refresh outcomes', () => {
  it('a first success is logged once as "first sync done" and makes the peer up', () => {
    const r = succeeded(fresh, T, 'node-b');
    assert.deepEqual(r.record, { fresh: true, failures: 0, lastSuccessAt: T, reportedId: 'node-b' });
    assert.equal(r.log?.message, 'first sync done');
    assert.equal(isUp(r.record), true);
    assert.equal(succeeded(r.record, T + 1, 'node-b').log, undefined, 'later successes are not logged');
  });

  it('failures count up, keep the last success, and log only a changed error', () => {
    const ok = succeeded(fresh, T, 'node-b').record;
    const one = failed(ok, 'status fetch failed: connection refused');
    assert.deepEqual(one.record, { fresh: false, failures: 1, lastSuccessAt: T, reportedId: 'node-b', error: 'status fetch failed: connection refused' });
    assert.equal(one.log?.level, 'warn');
    const two = failed(one.record, 'status fetch failed: connection refused');
    assert.equal(two.record.failures, 2);
    assert.equal(two.log, undefined, 'the same error again is not logged again');
    assert.equal(isUp(two.record), false);
    const back = succeeded(two.record, T + 60_000, 'node-b');
    assert.equal(back.log?.message, 'sync recovered after 2 failed refresh(es)');
    assert.equal(back.record.error, undefined);
    assert.equal(back.record.failures, 0);
  });

  it("cuts a peer's long error text before it is kept or logged", () => {
    const r = failed(fresh, `history fetch failed: ${'x'.repeat(10_000)}`);
    assert.ok(r.record.error!.length < 600, `${r.record.error!.length} characters`);
    assert.match(r.record.error!, /…\(\d+ more\)$/);
  });

  it('a record loaded from disk keeps its last success and reported id, not fresh', () => {
    assert.deepEqual(initialRecord('2026-12-01T10:00:00Z', 'node-b'), { fresh: false, failures: 0, lastSuccessAt: T, reportedId: 'node-b' });
    assert.deepEqual(initialRecord(undefined, ''), { fresh: false, failures: 0 });
    assert.equal(attempted(fresh, T).lastAttemptAt, T);
  });
});

describe('peer state: node ids', () => {
  const peers = [{ id: 'b', reportedId: 'node-b' }, { id: 'c' }, { id: 'd', reportedId: 'node-b' }];

  it('refuses this node itself, and a node already shown under an earlier peer', () => {
    assert.match(conflictOf('node-a', peers, 1, 'node-a') ?? '', /this node's own id/);
    assert.match(conflictOf('node-a', peers, 2, 'node-b') ?? '', /already shown as peer "b"/);
    assert.match(conflictOf('node-a', peers, 1, 'b') ?? '', /already shown as peer "b"/, "another peer's configured id");
    assert.equal(conflictOf('node-a', peers, 0, 'node-b'), undefined, 'the earlier peer keeps its node');
    assert.equal(conflictOf('node-a', peers, 1, 'node-c'), undefined);
    assert.equal(conflictOf('node-a', peers, 1, undefined), undefined);
  });

  it('a changed reported id is a replaced node; a first or missing one is not', () => {
    assert.equal(replacedNode('old', 'new'), true);
    assert.equal(replacedNode('old', 'old'), false);
    assert.equal(replacedNode(undefined, 'new'), false);
    assert.equal(replacedNode('old', ''), false);
  });
});

describe('peer state: paging and what a snapshot says', () => {
  it('reads on after the head and while the peer has more, within the page budget', () => {
    assert.equal(nextStep({ head: true, more: false }, 1, 20), 'next');
    assert.equal(nextStep({ head: false, more: true }, 5, 20), 'next');
    assert.equal(nextStep({ head: false, more: false }, 5, 20), 'done');
    assert.equal(nextStep({ head: false, more: true }, 20, 20), 'done', 'the rest at the next refresh');
  });

  it('a peer still syncing says so, and is never stale before its first refresh ends', () => {
    const starting = syncFields(fresh, false, false);
    assert.deepEqual(starting, { syncing: true, stale: false, consecutive_failures: 0 });
    const withHead = syncFields(succeeded(fresh, T, 'b').record, true, true);
    assert.deepEqual(withHead, { syncing: true, stale: false, last_success_at: '2026-12-01T10:00:00.000Z', consecutive_failures: 0 });
    const failedFirst = failed(fresh, 'status fetch failed: connection refused').record;
    assert.equal(isSyncing(failedFirst, false, false), false, 'a failed first refresh shows its error, not syncing');
    assert.equal(syncFields(failedFirst, false, false).stale, true);
    const loaded = initialRecord('2026-12-01T10:00:00Z', 'b');
    assert.equal(syncFields(loaded, true, false).stale, true, 'loaded from disk: stale until refreshed');
    assert.equal(syncFields(loaded, true, false).syncing, undefined);
  });
});

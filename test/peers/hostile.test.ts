/**
 * Hostile peers against the poller (real HTTP on 127.0.0.1, the real decode
 * thread): each class of payload is refused as the peer's error, bounded in
 * length, never stored, and what was held before stays shown.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { createPeerClient } from '../../src/peers/client.js';
import { createPeerDecodePool } from '../../src/peers/decode-pool.js';
import { createPeerPoller, type PeerPoller, type PeerPollerOptions } from '../../src/peers/poller.js';
import type { PeerSnapshot } from '../../src/types.js';
import { json, redirect, routes, startFakePeer, startOurNode, type FakePeer, type Handler } from '../helpers/fake-peer.js';

const cleanup: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

async function fake(handler: Handler): Promise<FakePeer> {
  const p = await startFakePeer(handler);
  cleanup.push(() => p.close());
  return p;
}

function poller(peers: PeerConfig[], opts: Partial<PeerPollerOptions> & { dataDir?: string } = {}): { p: PeerPoller; lines: string[] } {
  const lines: string[] = [];
  const p = createPeerPoller({
    config: { node_id: 'here', interval_minutes: 1, peers, peer_refresh_seconds: 15, data_directory: opts.dataDir ?? '/nonexistent', retention_days: 30 },
    client: createPeerClient({ version: 't', requestTimeoutMs: 5000, connectTimeoutMs: 500, retryDelayMs: 10, maxResponseBytes: 64 * 1024 * 1024 }),
    log: createLogger({ write: (l) => lines.push(l) }),
    persist: opts.dataDir !== undefined,
    decoder: createPeerDecodePool({ idleTimeout: 1000 }),
    ...opts,
  });
  cleanup.push(() => p.stop());
  return { p, lines };
}

const peer = (id: string, base_url: string): PeerConfig => ({ id, name: id, base_url, enabled: true });
const only = (p: PeerPoller): PeerSnapshot => p.snapshots('24h')[0]!;
const iso = (ms: number) => new Date(ms).toISOString();
const node = { id: 'far', name: 'Far', interval_minutes: 1 };
const sample = (ms: number, n = 1) => ({ timestamp: iso(ms), checks: Array.from({ length: n }, (_, i) => ({ id: `t${i}`, name: `T ${i}`, ok: true, state: 'active' })) });
const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, name: `T ${i}`, service: `t${i}.service`, timeout_seconds: 10, use_sudo: false }));

/** An original-shaped node: status and history as given. */
function original(status: unknown, history: unknown): Handler {
  return routes({ '/api/node/status': json(status), '/api/node/history': json(history) });
}

/** A good answer first, then `then`: the peer turns hostile after a good refresh. */
async function goodThen(then: Handler): Promise<{ p: PeerPoller; lines: string[]; before: PeerSnapshot }> {
  const now = Date.now();
  const f = await fake(original({ node, status: sample(now - 60_000, 3), targets: targets(3) }, { node, history: [sample(now - 120_000, 3), sample(now - 60_000, 3)] }));
  const r = poller([peer('far', f.url)]);
  await r.p.refreshAll();
  const before = only(r.p);
  assert.equal(before.error, undefined);
  f.handle(then);
  await r.p.refreshAll();
  return { ...r, before };
}

describe('hostile peers: too many targets', () => {
  for (const [what, status, history, expected] of [
    ['60,000 targets x 3 samples', { node, targets: targets(60_000) }, { node, history: [0, 1, 2].map((i) => sample(Date.now() - i * 60_000, 60_000)) }, /^status fetch failed: invalid payload: targets: 60000 targets, more than the 5000 allowed \(peer_max_targets\)$/],
    ['5,001 checks in the latest sample', { node, status: sample(Date.now(), 5_001) }, { node, history: [] }, /^status fetch failed: invalid payload: status\.checks: 5001 checks, more than the 5000 allowed/],
    ['5,001 checks in one history entry', { node }, { node, history: [sample(Date.now() - 1000, 5_001)] }, /^history fetch failed: invalid payload: history\[0\]\.checks: 5001 checks/],
  ] as const) {
    it(`${what}: refused as the peer's error, the last good data kept`, async () => {
      const { p, before } = await goodThen(original(status, history));
      const snap = only(p);
      assert.match(snap.error ?? '', expected);
      assert.equal(snap.stale, true);
      assert.deepEqual(snap.targets, before.targets, 'the 3 targets held before');
      assert.equal(JSON.stringify(p.snapshots('30d')).length < 200_000, true);
    });
  }
});

describe('hostile peers: far-future times', () => {
  it('an entry at 9999-12-31 is refused, not stored, and never becomes the `since` of a pull', async () => {
    const ours = await startOurNode({ nodeId: 'ours' });
    cleanup.push(() => ours.close());
    const now = Date.now();
    for (let i = 5; i >= 1; i--) ours.status.append(sample(now - i * 60_000));
    ours.status.append({ timestamp: '9999-12-31T23:59:59Z', checks: [] });
    const { p, lines } = poller([peer('ours', ours.url)]);
    await p.refreshAll();
    const snap = only(p);
    assert.match(snap.error ?? '', /^status fetch failed: invalid payload: status\.timestamp: 9999-12-31T23:59:59Z is ahead of this node's clock by more than 5 min/);
    assert.equal(snap.history, undefined);
    assert.ok(lines.some((l) => /WARN peer ours: sync failed: .*9999-12-31/.test(l)));
    await p.refreshAll();
    assert.ok(ours.requests.every((r) => !/since=9999/.test(r.url)), ours.requests.map((r) => r.url).join(' '));
  });

  it('in the history of an original node, among good entries, first or last: refused', async () => {
    const now = Date.now();
    for (const history of [
      [sample(now - 60_000), { timestamp: '9999-12-31T23:59:59Z', checks: [] }],
      [{ timestamp: '2200-01-01T00:00:00Z', checks: [] }, sample(now - 60_000)],
      [sample(now - 60_000), sample(now + 6 * 60_000)],
    ]) {
      const { p, before } = await goodThen(original({ node }, { node, history }));
      assert.match(only(p).error ?? '', /^history fetch failed: invalid payload: history\[\d\]\.timestamp: .* is ahead of this node's clock by more than 5 min/);
      assert.deepEqual(only(p).services.map((s) => s.total_checks), before.services.map((s) => s.total_checks));
    }
  });

  it('a cursor already on disk in the future is reset: the history held is dropped and pulled again from the start', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const future = `${JSON.stringify({ timestamp: '9999-12-31T23:59:59Z', checks: [] })}\n`;
    for (const { file, warning } of [
      // A day file dated in the future: the segment store sets it aside when it opens.
      { file: 'status-9999-12-31.jsonl', warning: /WARN peer ours: .*status-9999-12-31\.jsonl: dated 9999-12-31, ahead of the clock/ },
      // Today's file holding a sample from the future: the poller drops what it holds.
      { file: `status-${today}.jsonl`, warning: /WARN peer ours: history held ends at 9999-12-31T23:59:59\.000Z, ahead of this node's clock; dropped, pulled again/ },
    ]) {
      const dataDir = mkdtempSync(join(tmpdir(), 'jm-hostile-'));
      const dir = join(dataDir, 'peers', 'ours');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, file), future);
      const ours = await startOurNode({ nodeId: 'ours' });
      cleanup.push(() => ours.close());
      ours.status.append(sample(Date.now() - 60_000));
      const { p, lines } = poller([peer('ours', ours.url)], { dataDir });
      await p.refreshAll();
      assert.ok(lines.some((l) => warning.test(l)), lines.join('\n'));
      const history = ours.requests.filter((r) => r.url.startsWith('/api/node/history'));
      assert.ok(history.length > 0 && history.every((r) => !/since=9999/.test(r.url)), history.map((r) => r.url).join(' '));
      assert.equal(only(p).error, undefined);
      assert.equal(only(p).services[0]?.total_checks, 1);
      await p.stop();
      if (file.includes('9999')) assert.equal(existsSync(join(dir, file)), false, 'the future segment is gone from disk');
    }
  });
});

describe('hostile peers: long strings and control characters', () => {
  it('a 10 MB string where a number belongs: a short error in the snapshot and one short log line', async () => {
    for (const body of [
      { node: { id: 'far', interval_minutes: 'x'.repeat(10_000_000) } },
      { node, status: { timestamp: iso(Date.now()), checks: [{ id: 'a', name: 'A', ok: true, duration_ms: '1'.repeat(10_000_000) }] } },
    ]) {
      const { p, lines } = await goodThen(original(body, { node, history: [] }));
      const e = only(p).error ?? '';
      assert.match(e, /^status fetch failed: invalid payload: .*expected number, got ".*…\(\d+ more\)/);
      assert.ok(e.length <= 700, `${e.length} characters`);
      const logged = lines.filter((l) => l.includes('sync failed'));
      assert.equal(logged.length, 1);
      assert.ok(logged[0]!.length < 800);
    }
  });

  it('a 10 MB name, id and error are cut to a bound, with a marker, in the snapshot', async () => {
    const long = 'n'.repeat(10_000_000);
    const { p } = await goodThen(original(
      { node, status: { timestamp: iso(Date.now() - 1000), checks: [{ id: long, name: long, ok: false, state: long, error: long }] }, targets: [{ ...targets(1)[0], name: long }] },
      { node, history: [] },
    ));
    const snap = only(p);
    assert.equal(snap.error, undefined);
    const c = snap.status?.checks[0];
    assert.match(c?.name ?? '', /^n{256}…\(9999744 more\)$/);
    assert.match(c?.error ?? '', /^n{1024}…\(9998976 more\)$/);
    const longest = Math.max(...(JSON.stringify(snap).match(/"(?:[^"\\]|\\.)*"/g) ?? []).map((x) => x.length));
    assert.ok(longest < 1100, `longest string in the snapshot: ${longest} characters`);
  });

  it("a redirect's Location with NEL, CSI, U+2028 or 10 KB cannot forge a log line nor bloat the error", async () => {
    for (const location of ['http://x/\u0085fake', 'http://x/\u009b31mred', 'http://x/\u00e2\u0080\u00a8', `http://x/${'a'.repeat(10_000)}`]) {
      const f = await fake(redirect(location));
      const { p, lines } = poller([peer('mover', f.url)]);
      await p.refreshAll();
      const e = only(p).error ?? '';
      assert.match(e, /^status fetch failed: redirect to .* not followed$/);
      assert.ok(e.length < 300, `${e.length} characters`);
      const logged = lines.filter((l) => l.includes('sync failed'));
      assert.equal(logged.length, 1);
      assert.doesNotMatch(logged[0]!, /[\u0080-\u009f\u2028\u2029]/, 'no raw C1 or separator in the log');
      assert.equal(logged[0]!.split(/\r\n|\r|\n|\u0085|\u2028|\u2029/).length, 1);
    }
  });
});

describe('hostile peers: a poisoned peer.json on disk', () => {
  for (const [what, content] of [
    ['60,000 targets', JSON.stringify({ node, targets: targets(60_000), last_success_at: iso(Date.now() - 60_000) })],
    ['nested 100,000 deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['a status from 9999', JSON.stringify({ node, status: { timestamp: '9999-12-31T23:59:59Z', checks: [] } })],
  ] as const) {
    it(`${what}: moved aside and logged, not served`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'jm-hostile-'));
      const dir = join(dataDir, 'peers', 'far');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'peer.json'), content);
      const { p, lines } = poller([peer('far', 'http://127.0.0.1:9')], { dataDir });
      await p.open();
      const snap = only(p);
      assert.equal(snap.targets, undefined);
      assert.deepEqual(snap.services, []);
      assert.ok(lines.some((l) => l.includes('peer.json is not a valid peer file') && l.includes('moved aside to peer.json.rejected')), lines.join('\n'));
      assert.equal(existsSync(join(dir, 'peer.json')), false);
      assert.equal(readFileSync(join(dir, 'peer.json.rejected'), 'utf8'), content, 'kept for a look, nothing lost');
    });
  }
});

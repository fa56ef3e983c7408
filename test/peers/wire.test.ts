/**
 * Real daemons of ours on 127.0.0.1 syncing one another: one node with two
 * days of history, and two aggregators listing it as a peer, one reading the
 * compact page form (the default) and one JSON (`peer_compact_wire: false`).
 * Each aggregator reaches the node through a recording pass-through, so the
 * test sees what was asked and answered on the wire. Both must end with the
 * same view of the node; an original node (captured answers) next to it is
 * still asked exactly what the original asks.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { PeerSnapshot } from '../../src/types.js';
import { eventually, startDaemonProcess, tempDir, type DaemonProcess } from '../helpers/daemon.js';
import { originalNode, startFakePeer, type FakePeer } from '../helpers/fake-peer.js';
import { makeFakeBin, type FakeBin } from '../workers/fake-bin.js';

const TARGETS = [
  { id: 'ok', name: 'OK Service', service: 'ok.service', timeout_seconds: 2 },
  { id: 'bad', name: 'Bad Service', service: 'bad.service', timeout_seconds: 2 },
  { id: 'web', name: 'Web', service: 'web.service', timeout_seconds: 2 },
];
const STEP = 5 * 60_000;

/** Two days of samples at 5 minutes in the node's data directory: one failure an hour on `web`. */
function seedHistory(dataDir: string, nowMs: number): number {
  mkdirSync(dataDir, { recursive: true });
  const byDay = new Map<string, string[]>();
  const first = Math.floor((nowMs - 2 * 24 * 3600_000) / STEP) * STEP;
  let n = 0;
  for (let t = first; t < nowMs - STEP; t += STEP, n++) {
    const day = new Date(t).toISOString().slice(0, 10);
    const web = n % 12 !== 0;
    const entry = {
      timestamp: new Date(t).toISOString(),
      checks: [
        { id: 'ok', name: 'OK Service', ok: true, state: 'active', sub_state: 'running' },
        { id: 'bad', name: 'Bad Service', ok: false, state: 'failed', sub_state: 'failed', result: 'exit-code' },
        { id: 'web', name: 'Web', ok: web, state: web ? 'active' : 'activating', ...(web ? {} : { error: 'start job running' }) },
      ],
    };
    (byDay.get(day) ?? byDay.set(day, []).get(day)!).push(JSON.stringify(entry));
  }
  for (const [day, lines] of byDay) writeFileSync(join(dataDir, `status-${day}.jsonl`), `${lines.join('\n')}\n`);
  return n;
}

/** Passes every request through to `target` unchanged (bytes, codings and types as sent). */
function passTo(target: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const out = request(target + (req.url ?? '/'), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
}

/** What a user compares between two views of one peer: everything but when it was fetched and the window's clock times. */
function view(s: PeerSnapshot | undefined) {
  if (s === undefined) return undefined;
  const { updated_at: _u, last_success_at: _l, ...rest } = s as PeerSnapshot & { last_success_at?: string };
  // Two answers are computed at two moments: the buckets' start and end differ by that, their contents must not.
  return JSON.parse(JSON.stringify(rest, (key, value: unknown) => (key === 'start' || key === 'end' ? undefined : value))) as unknown;
}

describe('peer sync between daemons of ours: compact pages', { concurrency: false, timeout: 120_000 }, () => {
  let bin: FakeBin;
  let source: DaemonProcess;
  let compactProxy: FakePeer;
  let jsonProxy: FakePeer;
  let original: FakePeer;
  let compact: DaemonProcess;
  let plain: DaemonProcess;
  let seeded = 0;

  const aggregator = (id: string, via: FakePeer, extra: Record<string, unknown>) =>
    startDaemonProcess({
      config: {
        interval_minutes: 5, data_directory: 'data', node_id: id, node_name: id, peer_refresh_seconds: 1,
        targets: [TARGETS[0]], peers: [{ id: 'src', name: 'Source', base_url: via.url }, { id: 'orig', name: 'Original', base_url: original.url }], ...extra,
      },
      pathPrepend: [bin.dir],
      hooks: { minPeerRefreshSeconds: 1 },
    });

  before(async () => {
    bin = await makeFakeBin();
    const dir = tempDir('jm-wire-src-');
    seeded = seedHistory(join(dir, 'data'), Date.now());
    source = await startDaemonProcess({
      config: { interval_minutes: 5, data_directory: 'data', node_id: 'node-src', node_name: 'Source', targets: TARGETS },
      dir,
      pathPrepend: [bin.dir],
    });
    compactProxy = await startFakePeer(passTo(source.url));
    jsonProxy = await startFakePeer(passTo(source.url));
    original = await startFakePeer(originalNode('node-b'));
    [compact, plain] = await Promise.all([aggregator('agg-cols', compactProxy, {}), aggregator('agg-json', jsonProxy, { peer_compact_wire: false })]);
  });

  after(async () => {
    await Promise.all([compact, plain, source].map((d) => d?.stop()));
    await Promise.all([compactProxy, jsonProxy, original].map((p) => p?.close()));
    await bin?.cleanup();
  });

  const peerOf = async (d: DaemonProcess, id: string, range = '30d') =>
    ((await d.get(`/api/cluster?range=${range}`)).body?.nodes as PeerSnapshot[] | undefined)?.find((s) => s.node.id === id);
  const synced = (s: PeerSnapshot | undefined) => s !== undefined && s.error === undefined && s.syncing !== true && s.stale === false;

  it('reads the pages of a node that announces cols in the compact form, and ends with all its history', async () => {
    const announced = (await source.get('/api/node/status')).body.node.jobmonitor.features as string[];
    assert.ok(announced.includes('cols'), `features: ${announced.join(', ')}`);
    const s = await eventually(async () => {
      const p = await peerOf(compact, 'src');
      return synced(p) ? p : undefined;
    }, 60_000, 'the compact aggregator to sync the source');
    const ok = s.services.find((x) => x.id === 'ok')!;
    assert.ok(ok.total_checks >= seeded, `all ${seeded} seeded samples held (${ok.total_checks})`);
    const pages = compactProxy.requests.filter((q) => q.url.startsWith('/api/node/history'));
    assert.ok(pages.length >= 2, 'the newest day, then the older days');
    assert.ok(pages.every((q) => q.url.endsWith('&format=cols')), pages.map((q) => q.url).join('\n'));
    assert.match(pages[0]!.url, /^\/api\/node\/history\?range=24h&limit=\d+&format=cols$/, 'newest day first');
    assert.ok(jsonProxy.requests.every((q) => !q.url.includes('format=')), 'peer_compact_wire: false asks for JSON');
  });

  it('answers the compact form as such, and JSON to everyone else', async () => {
    const cols = await fetch(`${source.url}/api/node/history?range=24h&limit=50&format=cols`);
    assert.equal(cols.headers.get('content-type'), 'application/vnd.jobmonitor.history-page');
    assert.equal(cols.headers.get('content-encoding'), null, 'gzip inside, not encoded twice');
    const asJson = await source.get('/api/node/history?range=24h&limit=50');
    assert.match(asJson.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(asJson.body.history.length, 50);
  });

  it('shows the same node as an aggregator that read JSON', async () => {
    await eventually(async () => synced(await peerOf(plain, 'src')) || undefined, 60_000, 'the JSON aggregator to sync the source');
    for (const range of ['24h', '30d']) {
      // Both answers are computed at "now": asked a few times so a sample leaving the window in between does not count.
      let last = '';
      await eventually(async () => {
        const [a, b] = await Promise.all([peerOf(compact, 'src', range), peerOf(plain, 'src', range)]);
        try {
          assert.deepEqual(view(a), view(b));
          return true;
        } catch (e) {
          last = (e as Error).message.slice(0, 3000);
          return undefined;
        }
      }, 20_000, `the ${range} views of the source to match`).catch((e: Error) => assert.fail(`${e.message}: ${last}`));
    }
    // What the views agree on is the history: web failed one sample an hour, bad never passed.
    const a = (await peerOf(compact, 'src', '24h'))!;
    const uptime = (id: string) => a.services.find((x) => x.id === id)?.uptime_percent ?? NaN;
    assert.ok(uptime('web') > 85 && uptime('web') < 95, `web ${uptime('web')} %`);
    assert.equal(uptime('bad'), 0);
  });

  it('asks an original node exactly what the original asks, with either setting', async () => {
    for (const d of [compact, plain]) {
      await eventually(async () => synced(await peerOf(d, 'orig')) || undefined, 30_000, `${d.url} to sync the original`);
    }
    const urls = original.requests.filter((q) => q.url.startsWith('/api/node/history')).map((q) => q.url);
    assert.ok(urls.length >= 2);
    for (const u of urls) assert.equal(u, '/api/node/history?range=30d&limit=43205');
  });
});

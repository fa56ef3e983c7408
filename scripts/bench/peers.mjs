/**
 * Section "peers": one refresh between two nodes of ours (B pulls A with
 * `since`: only what is newer than the history B already holds) against the
 * original's pull (`/api/node/status` + `/api/node/history?range=30d&limit=<cap>`,
 * every refresh), both against the same daemon A holding 30 days x 500 units.
 *
 * B is the real peer poller (src/peers) in this process, its peer store
 * seeded with A's history as a previous sync would have left it. The
 * original's pull is made for real against A (gzip, as Go's client asks).
 * B's first sync with an empty store is tried too: it asks the same 30 days.
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, createReport, dist, fmt, getRaw, median, sleep } from './lib.mjs';
import { copyOfOurs, ensureData, scratch } from './data.mjs';
import { benchTargets } from '../gen-history.mjs';

const FAKE = join(ROOT, 'test', 'fixtures', 'fake-systemctl');

function silentLog() {
  const lines = [];
  const f = (level) => (m) => lines.push(`${level}: ${m}`);
  return { log: { info: f('info'), warn: f('warn'), error: f('error'), debug: f('debug') }, lines };
}

/** The poller's client, counting what each request brought (decoded bytes) and took. */
function meteredClient(client) {
  const calls = [];
  return {
    calls,
    client: {
      async getJson(peer, path, signal) {
        const t = performance.now();
        const r = await client.getJson(peer, path, signal);
        calls.push({ path, ms: performance.now() - t, bytes: r.ok ? r.bytes : 0, error: r.ok ? undefined : r.error });
        return r;
      },
      async getBytes(peer, path, signal, shape) {
        const t = performance.now();
        const r = await client.getBytes(peer, path, signal, shape);
        calls.push({ path, ms: performance.now() - t, bytes: r.ok ? r.body.length : 0, error: r.ok ? undefined : r.error });
        return r;
      },
      close: () => client.close(),
    },
  };
}

export async function run({ log = () => {}, refreshes = 5 } = {}) {
  const report = createReport('5. Peer sync at 500 units, 30 days: one refresh');
  const data = await ensureData({ log });
  const { startDaemonProcess } = await dist('test/helpers/daemon.js');
  const { createPeerPoller } = await dist('src/peers/poller.js');
  const { createPeerClient } = await dist('src/peers/client.js');
  const { peerDir } = await dist('src/peers/store.js');
  const { historyCap } = await dist('src/http/query.js');

  const dirA = scratch('peer-a');
  mkdirSync(join(dirA, 'bin'), { recursive: true });
  cpSync(FAKE, join(dirA, 'bin', 'systemctl'));
  const dataA = await copyOfOurs('peer-a-data', log);
  const targets = benchTargets(data.units).map(({ id, name, service }) => ({ id, name, service }));
  const a = await startDaemonProcess({ dir: dirA, config: { node_id: 'node-a', node_name: 'Node A', interval_minutes: 1, data_directory: dataA, targets }, pathPrepend: [join(dirA, 'bin')] });

  const dirB = scratch('peer-b');
  const configB = (data_directory) => ({
    node_id: 'node-b',
    interval_minutes: 1,
    peer_refresh_seconds: 15,
    data_directory,
    retention_days: 30,
    peers: [{ id: 'node-a', name: 'Node A', base_url: a.url, enabled: true }],
  });
  const cap = historyCap(1);
  try {
    await sleep(1000);
    // B with A's history already held (a previous sync): every refresh asks only for what is newer.
    const seeded = join(dirB, 'seeded');
    cpSync(data.ours.dir, peerDir(seeded, 'node-a'), { recursive: true });
    const m = meteredClient(createPeerClient({ version: 'bench' }));
    const quiet = silentLog();
    const poller = createPeerPoller({ config: configB(seeded), client: m.client, log: quiet.log });
    const t0 = performance.now();
    await poller.open();
    const openMs = performance.now() - t0;
    const refreshMs = [];
    const snapMs = [];
    for (let r = 0; r < refreshes; r++) {
      const t = performance.now();
      await poller.refreshAll();
      refreshMs.push(performance.now() - t);
      const s = performance.now();
      const snap = poller.snapshots('24h')[0];
      snapMs.push(performance.now() - s);
      if (snap.error !== undefined) throw new Error(`incremental refresh failed: ${snap.error}`);
      await sleep(200);
    }
    const byRefresh = [];
    for (let i = 0; i < m.calls.length; i += 2) byRefresh.push(m.calls[i].bytes + (m.calls[i + 1]?.bytes ?? 0));
    const historyPath = m.calls.find((c) => c.path.startsWith('/api/node/history'))?.path ?? '';
    await poller.stop();
    // The same two requests once more, to see their size on the wire (gzip).
    const wireInc = (await getRaw(a.url + '/api/node/status', { 'accept-encoding': 'gzip' })).bytes + (await getRaw(a.url + historyPath, { 'accept-encoding': 'gzip' })).bytes;

    // The original's refresh: the same status, then all 30 days.
    log(`the original's pull: /api/node/history?range=30d&limit=${cap} (about 20 s)`);
    const st = await getRaw(a.url + '/api/node/status', { 'accept-encoding': 'gzip' }, { decoded: true });
    const full = await getRaw(a.url + `/api/node/history?range=30d&limit=${cap}`, { 'accept-encoding': 'gzip' }, { decoded: true, timeoutMs: 240_000 });
    const origWire = st.bytes + full.bytes;
    const origJson = st.decodedBytes + full.decodedBytes;
    const origMs = st.ms + full.ms;

    // B's first sync, nothing held yet: the same 30-day request, through the real client and its size caps.
    log('first sync of an empty peer store');
    const m2 = meteredClient(createPeerClient({ version: 'bench' }));
    const fresh = createPeerPoller({ config: configB(join(dirB, 'fresh')), client: m2.client, log: silentLog().log });
    const tf = performance.now();
    await fresh.refreshAll();
    const firstMs = performance.now() - tf;
    const firstErr = fresh.snapshots('24h')[0].error;
    await fresh.stop();

    const incBytes = median(byRefresh);
    const incMs = median(refreshMs);
    report.row('bytes per refresh (JSON)', fmt.bytes(incBytes), fmt.bytes(origJson), origJson / incBytes);
    report.row('bytes per refresh on the wire (gzip)', fmt.bytes(wireInc), fmt.bytes(origWire), origWire / wireInc);
    report.row('time per refresh', fmt.ms(incMs), fmt.ms(origMs), origMs / incMs);
    report.row('  B: snapshot of the peer after a refresh', fmt.ms(median(snapMs)), '');
    report.row('  B: loading 30 days of peer history at start', fmt.ms(openMs), '');
    report.row('first sync, empty store (range=30d, no since)', firstErr === undefined ? `ok, ${fmt.ms(firstMs)}` : `failed after ${fmt.ms(firstMs)}`, '', undefined, 'ok', firstErr === undefined);
    report.note(`ours: median of ${refreshes} refreshes by the real poller (status + history since the newest sample held: ${historyPath.replace(/since=[^&]+/, 'since=…')}); A samples once a minute, so most refreshes bring 0-1 new samples. Baseline: the original's two requests made once against A (Accept-Encoding: gzip, as Go's client sends); A streams the ${fmt.n(cap)}-entry history.`);
    if (firstErr !== undefined) report.note(`first sync failed: "${firstErr}" - B's client refuses more than peer_max_response_bytes (default 8 MiB on the wire, 64 MiB decoded) and the 30-day answer is ${fmt.bytes(full.bytes)} gzip / ${fmt.bytes(full.decodedBytes)} JSON, so a node of ours never gets a 30-day peer of this size in sync without raising that setting.`);
  } finally {
    await a.stop();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dataA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  }
  return report;
}

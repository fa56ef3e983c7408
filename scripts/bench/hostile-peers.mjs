/**
 * Section "hostile-peers": one real daemon per hostile peer class, once as
 * main built it (payloads parsed and validated on the main thread, no limits)
 * and once as this tree builds it (decoded in the peer-decode thread within
 * the peer limits). During each attack, which repeats every 2 s for 15 s:
 *
 * - the longest /healthz answer from a fresh connection, polled every 50 ms
 *   (the daemon's own event-loop delay is not visible from outside; this is
 *   what a load balancer's health check would see);
 * - the daemon's peak RSS (VmHWM from /proc) and its RSS 10 s after the peer
 *   went away;
 * - /api/cluster?range=30d: how many answers were 5xx, and the longest one.
 *
 * "main" is the merge base with the main branch, exported with `git archive`
 * into a temporary directory and compiled there against this tree's
 * node_modules (once; kept in the OS temp dir between runs).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { ROOT, createReport, fmt, sleep, until } from './lib.mjs';
import { buildTree, fresh, procKiB } from './hostile-lib.mjs';
import { routes, startFakePeer } from '../../dist/test/helpers/fake-peer.js';

const ATTACK_MS = 15_000;
const FAKE = join(ROOT, 'test', 'fixtures', 'fake-systemctl');

/** A gzip body served as is. */
function served(gz) {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gz.length) });
    res.end(gz);
  };
}

/** Each class: an original-shaped peer answering /api/node/status and /api/node/history. */
function classes(now) {
  const node = { id: 'hostile', name: 'Hostile', interval_minutes: 1 };
  const iso = (ms) => new Date(ms).toISOString();
  const many = () => {
    const targets = Array.from({ length: 60_000 }, (_, i) => ({ id: `t${i}`, name: `T ${i}`, service: `t${i}.service`, timeout_seconds: 10, use_sudo: false }));
    const entry = (ms) => ({ timestamp: iso(ms), checks: targets.map((t) => ({ id: t.id, name: t.name, ok: true, state: 'active' })) });
    const history = [3, 2, 1].map((i) => entry(now - i * 60_000));
    return { status: JSON.stringify({ node, status: history[2], targets }), history: JSON.stringify({ node, history, targets }) };
  };
  const million = () => {
    const parts = [];
    for (let i = 1_000_000; i > 0; i--) parts.push(`{"timestamp":"${iso(now - i * 1000)}","checks":[]}`);
    return { status: JSON.stringify({ node, status: { timestamp: iso(now), checks: [] } }), history: `{"node":${JSON.stringify(node)},"history":[${parts.join(',')}]}` };
  };
  const nested = () => {
    const deep = Buffer.alloc(60_000_000, '[').fill(']', 30_000_000);
    return { status: JSON.stringify({ node }), history: deep };
  };
  const longNumber = () => ({ status: JSON.stringify({ node: { ...node, interval_minutes: 'x'.repeat(10_000_000) } }), history: JSON.stringify({ node, history: [] }) });
  const future = () => ({
    status: JSON.stringify({ node, status: { timestamp: '9999-12-31T23:59:59Z', checks: [] } }),
    history: JSON.stringify({ node, history: [{ timestamp: iso(now - 60_000), checks: [] }, { timestamp: '9999-12-31T23:59:59Z', checks: [] }] }),
  });
  return [
    ['60,000 targets x 3 samples', many],
    ['1,000,000 history entries', million],
    ['nesting 30,000,000 deep (60 MB)', nested],
    ['10 MB string in a number field', longNumber],
    ['entry at 9999-12-31', future],
  ];
}

// In a worker thread: build one class's bodies and hand back only their gzip bytes, so the hundreds of MB of
// garbage the builders make never meet this process's garbage collector while it measures /healthz.
if (!isMainThread && workerData?.hostileClass !== undefined) {
  const body = classes(workerData.now)[workerData.hostileClass][1]();
  parentPort.postMessage({ status: gzipSync(body.status), history: gzipSync(body.history) });
}

/** The gzip bytes of class `index`'s two bodies, built in a worker thread. */
function buildBodies(index, now) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { hostileClass: index, now } });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** main's tree (the merge base), the "before" column. */
function buildMain(log) {
  let base;
  try {
    base = execFileSync('git', ['merge-base', 'HEAD', 'main'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  const built = buildTree(base, 'hostile-peers', log);
  return built === undefined ? undefined : { main: built.main, base };
}

/** One daemon, one hostile peer, one attack window: the figures. */
async function attack(mainJs, peerUrl, log) {
  const dir = mkdtempSync(join(tmpdir(), 'jm-bench-hostile-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  cpSync(FAKE, join(bin, 'systemctl'));
  const port = await freePort();
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify({
    node_id: 'victim', interval_minutes: 1, data_directory: join(dir, 'data'), peer_refresh_seconds: 2,
    targets: [{ id: 'ok-a', name: 'A', service: 'ok-a.service' }, { id: 'ok-b', name: 'B', service: 'ok-b.service' }],
    peers: [{ id: 'hostile', name: 'Hostile', base_url: peerUrl }],
  }));
  const child = spawn(process.execPath, [mainJs, '-config', join(dir, 'config.yaml'), '-addr', `127.0.0.1:${port}`], {
    cwd: dir,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, JOBMONITOR_MIN_PEER_REFRESH_SECONDS: '2', JM_TEST_HOOKS: JSON.stringify({ minPeerRefreshSeconds: 2 }) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let logBytes = 0;
  child.stderr.on('data', (d) => (logBytes += d.length));
  const url = `http://127.0.0.1:${port}`;
  try {
    await until(async () => (await fresh(`${url}/healthz`)).status === 200, 20_000, 'the daemon to answer');
    const idleKiB = procKiB(child.pid, 'VmRSS');
    let healthMax = 0;
    let healthFailed = 0;
    let rssMax = idleKiB;
    const cluster = { n: 0, bad: 0, max: 0 };
    const end = Date.now() + ATTACK_MS;
    const probes = (async () => {
      while (Date.now() < end) {
        const h = await fresh(`${url}/healthz`);
        healthMax = Math.max(healthMax, h.ms);
        if (h.status !== 200) healthFailed++;
        rssMax = Math.max(rssMax, procKiB(child.pid, 'VmRSS'));
        await sleep(50);
      }
    })();
    const clusters = (async () => {
      while (Date.now() < end) {
        const c = await fresh(`${url}/api/cluster?range=30d`);
        cluster.n++;
        if (c.status < 200 || c.status >= 500) cluster.bad++;
        cluster.max = Math.max(cluster.max, c.ms);
        await sleep(500);
      }
    })();
    await Promise.all([probes, clusters]);
    const peakKiB = Math.max(rssMax, procKiB(child.pid, 'VmHWM'));
    return { idleKiB, peakKiB, healthMax, healthFailed, cluster, logBytes, dir, url, child };
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** After the peer is gone: RSS 10 s later, then stop. */
async function settle(run) {
  await sleep(10_000);
  const afterKiB = procKiB(run.child.pid, 'VmRSS');
  run.child.kill('SIGTERM');
  await new Promise((r) => run.child.once('exit', r));
  rmSync(run.dir, { recursive: true, force: true });
  return afterKiB;
}

export async function run({ log = () => {} } = {}) {
  const report = createReport('Hostile peers: one daemon per class, 15 s of attack (a refresh every 2 s)');
  const built = buildMain(log);
  // Ours through the test entry (the 2 s refresh floor is a test-only option); the baseline read it from its environment.
  const ours = join(ROOT, 'dist', 'test', 'helpers', 'daemon-entry.js');
  const mib = (kib) => fmt.bytes(kib * 1024);
  const now = Date.now();
  for (const [index, [name]] of classes(now).entries()) {
    log(`hostile-peers: ${name}`);
    const body = await buildBodies(index, now);
    const handler = routes({ '/api/node/status': served(Buffer.from(body.status)), '/api/node/history': served(Buffer.from(body.history)) });
    const figures = {};
    for (const [which, mainJs] of [['after', ours], ...(built ? [['before', built.main]] : [])]) {
      const peer = await startFakePeer(handler);
      try {
        const r = await attack(mainJs, peer.url, log);
        await peer.close();
        figures[which] = { ...r, afterKiB: await settle(r) };
      } catch (err) {
        await peer.close();
        figures[which] = { error: String(err) };
      }
    }
    const a = figures.after;
    const b = figures.before;
    const show = (f, pick) => (f === undefined ? 'not run' : f.error !== undefined ? `failed: ${f.error.slice(0, 60)}` : pick(f));
    report.row(`${name}: longest /healthz`, show(a, (f) => fmt.ms(f.healthMax)), show(b, (f) => fmt.ms(f.healthMax)), a?.healthMax && b?.healthMax ? b.healthMax / a.healthMax : undefined, '< 100 ms', a?.healthMax !== undefined ? a.healthMax < 100 : undefined);
    report.row('  peak RSS (idle before)', show(a, (f) => `${mib(f.peakKiB)} (${mib(f.idleKiB)})`), show(b, (f) => `${mib(f.peakKiB)} (${mib(f.idleKiB)})`), a?.peakKiB && b?.peakKiB ? b.peakKiB / a.peakKiB : undefined, '< 400 MiB', a?.peakKiB !== undefined ? a.peakKiB < 400 * 1024 : undefined);
    report.row('  RSS 10 s after the peer left', show(a, (f) => mib(f.afterKiB)), show(b, (f) => mib(f.afterKiB)));
    report.row('  /api/cluster 5xx / answers (longest)', show(a, (f) => `${f.cluster.bad}/${f.cluster.n} (${fmt.ms(f.cluster.max)})`), show(b, (f) => `${f.cluster.bad}/${f.cluster.n} (${fmt.ms(f.cluster.max)})`), undefined, '0 5xx', a?.cluster !== undefined ? a.cluster.bad === 0 : undefined);
    report.row('  /healthz failures; log bytes', show(a, (f) => `${f.healthFailed}; ${fmt.bytes(f.logBytes)}`), show(b, (f) => `${f.healthFailed}; ${fmt.bytes(f.logBytes)}`));
  }
  report.note(`baseline: ${built ? `main at ${built.base.slice(0, 12)} (merge base), same machine, same payloads` : 'main could not be built here (no git or no main branch): not run'}. /healthz polled every 50 ms from a fresh connection; RSS from /proc/<pid>/status (VmRSS sampled, VmHWM at the end). Peer bodies are served gzip from memory by a fake peer in the bench process.`);
  return report;
}

/**
 * Section "api": requests per second and p99 latency at 50 connections on the
 * read endpoints of a daemon process holding 30 days x 500 units, each beside
 * a bare Koa app (hello-koa.mjs) serving the very bytes the daemon answered,
 * in the same run, without and with `Accept-Encoding: gzip`; and the p50 of a
 * poll that gets 304 (If-None-Match). The load generator (load.mjs) runs in
 * its own process; rounds alternate the runs so background load hits all.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { ROOT, createReport, dist, fmt, median, procTimes, runNodeJson, sleep } from './lib.mjs';
import { copyOfOurs, scratch } from './data.mjs';
import { benchTargets } from '../gen-history.mjs';

const LOAD = join(ROOT, 'scripts', 'bench', 'load.mjs');
const FAKE = join(ROOT, 'test', 'fixtures', 'fake-systemctl');
const PATHS = ['/api/node/status', '/api/node/uptime?range=24h', '/api/cluster?range=24h'];
/** Targets of issue 15 for these two, with and without gzip. */
const TARGETED = new Set(['/api/node/status', '/api/node/uptime?range=24h']);

function startHello(routesFile) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'bench', 'hello-koa.mjs'), routesFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', (d) => resolve({ url: `http://127.0.0.1:${String(d).trim()}`, pid: child.pid, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) }));
    child.once('error', reject);
  });
}

/** One GET, body as sent on the wire. */
function fetchBytes(url, headers = {}) {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers, agent: false }, (res) => {
      const parts = [];
      res.on('data', (b) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Saves the daemon's answers (identity and gzip) for the baseline to serve. */
async function saveAnswers(daemonUrl, dir) {
  const routes = {};
  for (const [i, path] of PATHS.entries()) {
    const plain = await fetchBytes(daemonUrl + path);
    const gz = await fetchBytes(daemonUrl + path, { 'Accept-Encoding': 'gzip' });
    if (plain.status !== 200 || gz.headers['content-encoding'] !== 'gzip') throw new Error(`api bench: ${path} answered ${plain.status}, ${gz.headers['content-encoding']}`);
    const identity = join(dir, `${i}.json`);
    const gzip = join(dir, `${i}.json.gz`);
    writeFileSync(identity, plain.body);
    writeFileSync(gzip, gz.body);
    routes[path] = { identity, gzip, type: plain.headers['content-type'] };
  }
  const file = join(dir, 'routes.json');
  writeFileSync(file, JSON.stringify(routes));
  return file;
}

export async function run({ log = () => {}, connections = 50, seconds = 5, rounds = 3 } = {}) {
  const report = createReport(`4. API throughput at ${connections} connections: kept answers vs a bare Koa app serving the same bytes`);
  const dir = scratch('daemon-api');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  cpSync(FAKE, join(dir, 'bin', 'systemctl'));
  const data = await copyOfOurs('daemon-api-data', log);
  const targets = benchTargets(500).map(({ id, name, service }) => ({ id, name, service }));
  const { startDaemonProcess } = await dist('test/helpers/daemon.js');
  const daemon = await startDaemonProcess({ dir, config: { node_id: 'bench', node_name: 'Bench node', interval_minutes: 1, data_directory: data, targets }, pathPrepend: [join(dir, 'bin')] });
  const res = {};
  /** CPU time (user + system, ms) of a server process: per request, it is less swayed by other work on the machine than req/s. */
  const cpuOf = (pid) => {
    const t = procTimes(pid);
    return t.utime + t.stime;
  };
  const loadRun = async (key, url, headers = {}, conns = connections, pid = undefined) => {
    const args = ['--url', url, '--connections', String(conns), '--duration', String(seconds)];
    for (const [k, v] of Object.entries(headers)) args.push('--header', `${k}: ${v}`);
    const cpu0 = pid === undefined ? 0 : cpuOf(pid);
    const x = await runNodeJson(LOAD, args, { timeoutMs: (seconds + 60) * 1000 });
    if (pid !== undefined) x.cpuUsPerRequest = ((cpuOf(pid) - cpu0) * 1000) / Math.max(1, x.requests);
    (res[key] ??= []).push(x);
    return x;
  };
  let hello;
  try {
    await sleep(1000);
    hello = await startHello(await saveAnswers(daemon.url, dir));
    for (const path of PATHS) {
      for (const base of [daemon.url, hello.url]) await runNodeJson(LOAD, ['--url', base + path, '--connections', '10', '--duration', '1']);
    }
    for (let r = 0; r < rounds; r++) {
      for (const path of PATHS) {
        for (const gzip of [false, true]) {
          const headers = gzip ? { 'Accept-Encoding': 'gzip' } : {};
          for (const [who, base, pid] of [['ours', daemon.url, daemon.child.pid], ['koa', hello.url, hello.pid]]) {
            const x = await loadRun(`${who} ${path} ${gzip}`, base + path, headers, connections, pid);
            log(`round ${r + 1}/${rounds} ${who} ${path}${gzip ? ' gzip' : ''}: ${x.rps.toFixed(0)} req/s, p99 ${fmt.ms(x.latencyMs.p99)}, ${x.cpuUsPerRequest.toFixed(0)} µs CPU per request, ${x.errors} errors`);
          }
        }
      }
      // An unchanged poll, one client at a time: If-None-Match with the ETag just served (a new sample during the run makes a few 200s).
      const etag = (await fetchBytes(`${daemon.url}/api/node/status`, { 'Accept-Encoding': 'gzip' })).headers.etag;
      const x = await loadRun('304', `${daemon.url}/api/node/status`, { 'Accept-Encoding': 'gzip', 'If-None-Match': etag }, 1);
      log(`round ${r + 1}/${rounds} 304 poll: ${x.rps.toFixed(0)} req/s, p50 ${fmt.ms(x.latencyMs.p50)}, statuses ${JSON.stringify(x.statuses)}`);
    }
  } finally {
    await hello?.stop();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  }
  const rps = (k) => median(res[k].map((x) => x.rps));
  const p99 = (k) => median(res[k].map((x) => x.latencyMs.p99));
  const bad = (k) => res[k].reduce((a, x) => a + x.errors + Object.entries(x.statuses).filter(([s]) => s !== '200' && s !== '304').reduce((b, [, n]) => b + n, 0), 0);
  for (const path of PATHS) {
    for (const gzip of [false, true]) {
      const [o, k] = [`ours ${path} ${gzip}`, `koa ${path} ${gzip}`];
      const what = `${path}${gzip ? ' (gzip)' : ''} req/s`;
      const ratio = rps(o) / rps(k);
      if (TARGETED.has(path)) {
        report.row(what, fmt.n(rps(o)), fmt.n(rps(k)), ratio, gzip ? '>= 70% of Koa, >= 5,000' : '>= 70% of Koa', ratio >= 0.7 && (!gzip || rps(o) >= 5000));
      } else report.row(what, fmt.n(rps(o)), fmt.n(rps(k)), ratio);
      report.row('  p99 latency', fmt.ms(p99(o)), fmt.ms(p99(k)), p99(k) / p99(o));
      const cpu = (key) => median(res[key].map((x) => x.cpuUsPerRequest));
      report.row('  server CPU per request', `${cpu(o).toFixed(0)} µs`, `${cpu(k).toFixed(0)} µs`, cpu(k) / cpu(o));
      report.row('  body on the wire / errors or non-200', `${fmt.bytes(median(res[o].map((x) => x.bytesPerResponse)))} / ${bad(o)}`, `${fmt.bytes(median(res[k].map((x) => x.bytesPerResponse)))} / ${bad(k)}`);
    }
  }
  const p50 = median(res['304'].map((x) => x.latencyMs.p50));
  report.row('304 poll of /api/node/status, 1 client: p50 (req/s)', `${fmt.ms(p50)} (${fmt.n(rps('304'))})`, '', undefined, '< 2 ms', p50 < 2);
  report.note(`medians of ${rounds} rounds; ${seconds} s per run, ${connections} keep-alive connections, closed loop per connection; daemon with 30 days x 500 units (1-minute samples) and no peers, answering from its kept bytes (rebuilt after each sample); the baseline is a bare Koa app (no middleware) serving the bytes the daemon answered, gzip form included; client in a separate process on the same 2 cores. "ratio" = ours / Koa (req/s) and Koa / ours (p99, CPU). Server CPU per request = the server process's user + system time over the run / requests answered (10 ms ticks; the daemon's also includes its sampling every minute).`);
  return report;
}

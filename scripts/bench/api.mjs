/**
 * Section "api": requests per second and p99 latency at 50 connections on
 * /api/node/status and /api/cluster of a daemon process holding 30 days x
 * 500 units, against a bare Koa hello-world in the same run (same Node, same
 * Koa). The load generator (load.mjs) runs in its own process; rounds
 * alternate the three endpoints so the machine's background load hits all.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, createReport, dist, fmt, median, runNodeJson, sleep } from './lib.mjs';
import { copyOfOurs, scratch } from './data.mjs';
import { benchTargets } from '../gen-history.mjs';

const LOAD = join(ROOT, 'scripts', 'bench', 'load.mjs');
const FAKE = join(ROOT, 'test', 'fixtures', 'fake-systemctl');

function startHello() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'bench', 'hello-koa.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', (d) => resolve({ url: `http://127.0.0.1:${String(d).trim()}`, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) }));
    child.once('error', reject);
  });
}

export async function run({ log = () => {}, connections = 50, seconds = 5, rounds = 3 } = {}) {
  const report = createReport(`4. API throughput at ${connections} connections`);
  const dir = scratch('daemon-api');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  cpSync(FAKE, join(dir, 'bin', 'systemctl'));
  const data = await copyOfOurs('daemon-api-data', log);
  const targets = benchTargets(500).map(({ id, name, service }) => ({ id, name, service }));
  const { startDaemonProcess } = await dist('test/helpers/daemon.js');
  const daemon = await startDaemonProcess({ dir, config: { node_id: 'bench', node_name: 'Bench node', interval_minutes: 1, data_directory: data, targets }, pathPrepend: [join(dir, 'bin')] });
  const hello = await startHello();
  const urls = { hello: `${hello.url}/`, status: `${daemon.url}/api/node/status`, cluster: `${daemon.url}/api/cluster` };
  const res = { hello: [], status: [], cluster: [] };
  try {
    await sleep(1000);
    for (const k of Object.keys(urls)) await runNodeJson(LOAD, ['--url', urls[k], '--connections', '10', '--duration', '1']);
    for (let r = 0; r < rounds; r++) {
      for (const k of Object.keys(urls)) {
        const s = k === 'cluster' ? seconds * 2 : seconds;
        const x = await runNodeJson(LOAD, ['--url', urls[k], '--connections', String(connections), '--duration', String(s)], { timeoutMs: (s + 60) * 1000 });
        res[k].push(x);
        log(`round ${r + 1}/${rounds} ${k}: ${x.rps.toFixed(0)} req/s, p99 ${fmt.ms(x.latencyMs.p99)}, ${x.errors} errors`);
      }
    }
  } finally {
    await hello.stop();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  }
  const rps = (k) => median(res[k].map((x) => x.rps));
  const p99 = (k) => median(res[k].map((x) => x.latencyMs.p99));
  const p50 = (k) => median(res[k].map((x) => x.latencyMs.p50));
  const errors = (k) => res[k].reduce((a, x) => a + x.errors + Object.entries(x.statuses).filter(([s]) => s !== '200').reduce((b, [, n]) => b + n, 0), 0);
  report.row('hello-world req/s (p50 / p99)', '', `${fmt.n(rps('hello'))} (${fmt.ms(p50('hello'))} / ${fmt.ms(p99('hello'))})`);
  for (const k of ['status', 'cluster']) {
    const path = k === 'status' ? '/api/node/status' : '/api/cluster (24h)';
    report.row(`${path} req/s`, fmt.n(rps(k)), fmt.n(rps('hello')), rps(k) / rps('hello'));
    report.row('  p50 / p99 latency', `${fmt.ms(p50(k))} / ${fmt.ms(p99(k))}`, `${fmt.ms(p50('hello'))} / ${fmt.ms(p99('hello'))}`, p99('hello') / p99(k));
    report.row('  response body', fmt.bytes(median(res[k].map((x) => x.bytesPerResponse))), fmt.bytes(median(res.hello.map((x) => x.bytesPerResponse))));
    report.row('  errors / non-200', String(errors(k)), String(errors('hello')), undefined, '0', errors(k) === 0);
  }
  report.note(`medians of ${rounds} rounds; ${seconds} s per round (${seconds * 2} s for /api/cluster), keep-alive, closed loop per connection, no Accept-Encoding (identity: measures the server's work, not gzip); daemon with 30 days x 500 units and no peers; client in a separate process on the same 2 cores. "ratio" = ours / hello-world (req/s) and hello / ours (p99).`);
  return report;
}

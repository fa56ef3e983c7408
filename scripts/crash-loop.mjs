#!/usr/bin/env node
// Crash loop: starts the daemon (fake systemctl, a sample every 0.6 s), kills it with
// SIGKILL at a random moment or right as a segment line is being written, restarts it,
// and checks each time that it started, that every sample it had served (but the newest,
// which may still have been on its way to disk) is served again, and that every segment
// line parses. Prints a figure line every 25 kills and a summary.
//
//   node scripts/crash-loop.mjs [--kills 200] [--units 40] [--keep]
//
// Needs a build (node scripts/build.mjs --if-needed). Traffic only to 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist/src/main.js');

function flags(argv) {
  const o = { kills: 200, units: 40, keep: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--kills') o.kills = Number(argv[++i]);
    else if (argv[i] === '--units') o.units = Number(argv[++i]);
    else if (argv[i] === '--keep') o.keep = true;
    else throw new Error(`unknown flag ${argv[i]}`);
  }
  if (!(o.kills > 0 && o.units > 0)) throw new Error('--kills and --units must be positive');
  return o;
}

async function start(dir, env) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [main, '-config', join(dir, 'config.yaml'), '-addr', '127.0.0.1:0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  for (;;) {
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
    if (m) return { child, exited, url: `http://127.0.0.1:${m[1]}`, logs: () => out, startMs: performance.now() - t0 };
    if (child.exitCode !== null) throw new Error(`the daemon did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function served(url) {
  const r = await fetch(`${url}/api/node/history?range=24h`);
  return (await r.json()).history.map((e) => e.timestamp);
}

function segments(dataDir) {
  const stamps = [];
  const bad = [];
  for (const name of readdirSync(dataDir)) {
    if (!/^status-.*\.jsonl$/.test(name)) continue;
    const text = readFileSync(join(dataDir, name), 'utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        stamps.push(JSON.parse(line).timestamp);
      } catch {
        bad.push(`${name}: ${line.slice(0, 80)}`);
      }
    }
  }
  return { stamps, bad };
}

async function main_() {
  const o = flags(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'jm-crash-loop-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(join(root, 'test/fixtures/fake-systemctl'), join(bin, 'systemctl'));
  const targets = Array.from({ length: o.units }, (_, i) => ({ id: `ok-${i}`, name: `Unit ${i}`, service: `${i % 9 === 8 ? 'bad' : 'ok'}-${i}.service` }));
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify({ interval_minutes: 0.01, data_directory: 'data', node_id: 'crash', node_name: 'Crash loop', targets }));
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const dataDir = join(dir, 'data');
  const acknowledged = new Set();
  const figures = { kills: 0, lostNewest: 0, repairs: 0, startMs: [], failures: [] };

  for (let k = 0; k < o.kills; k++) {
    const d = await start(dir, env);
    figures.startMs.push(d.startMs);
    figures.repairs += (d.logs().match(/dropped a damaged last line/g) ?? []).length;
    const first = await served(d.url);
    const missing = [...acknowledged].filter((ts) => !first.includes(ts));
    if (missing.length > 0) figures.failures.push(`restart ${k}: ${missing.length} acknowledged sample(s) missing`);
    // Let this life write at least one sample, then kill it.
    while ((await served(d.url)).length < first.length + 1) await new Promise((r) => setTimeout(r, 50));
    const seen = await served(d.url);
    if (k % 2 === 0) {
      await new Promise((resolve) => {
        const w = watch(dataDir, (_e, name) => {
          if (name && /^status-.*\.jsonl$/.test(name)) {
            w.close();
            resolve();
          }
        });
      });
    } else {
      await new Promise((r) => setTimeout(r, Math.random() * 600));
    }
    d.child.kill('SIGKILL');
    await d.exited;
    figures.kills++;
    const disk = segments(dataDir);
    const onDisk = new Set(disk.stamps);
    const gone = seen.filter((ts) => !onDisk.has(ts));
    if (gone.length > 1 || (gone.length === 1 && gone[0] !== seen.at(-1))) figures.failures.push(`kill ${k}: lost ${gone.join(', ')}`);
    figures.lostNewest += gone.length;
    for (const ts of seen.slice(0, -1)) acknowledged.add(ts);
    if ((k + 1) % 25 === 0 || k + 1 === o.kills) {
      const sorted = [...figures.startMs].sort((a, b) => a - b);
      console.log(
        `kills ${figures.kills}: ${disk.stamps.length} samples on disk, damaged lines ${disk.bad.length}, torn tails repaired ${figures.repairs}, ` +
          `newest sample lost at a kill ${figures.lostNewest} time(s), start p50 ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms max ${sorted.at(-1).toFixed(0)} ms, failures ${figures.failures.length}`,
      );
    }
  }
  const final = segments(dataDir);
  if (final.bad.length > 0) figures.failures.push(`${final.bad.length} damaged line(s) left: ${final.bad.slice(0, 3).join(' | ')}`);
  console.log(figures.failures.length === 0 ? 'crash loop: no failure' : `crash loop: FAILURES\n  ${figures.failures.join('\n  ')}`);
  if (!o.keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
  process.exit(figures.failures.length === 0 ? 0 : 1);
}

main_().catch((e) => {
  console.error(`crash-loop: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});

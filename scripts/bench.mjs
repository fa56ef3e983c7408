#!/usr/bin/env node
/**
 * `npm run bench`: measures the real code paths at 500 units and 30 days of
 * history, each figure next to a baseline measured in the same run, and
 * prints one table per section (see BENCHMARKS.md for a recorded run).
 *
 *   npm run bench                         every section (~8-10 minutes)
 *   npm run bench -- sweep history        only these sections, in this order
 *   npm run bench -- --json out.json      also write the figures as JSON
 *
 * Sections: sweep and sweep-whole (need root: real systemd sandbox), isolation, history,
 * api, peers, hostile-peers, hostile-clients, ui (needs chromium), fleet (real daemons + chromium; `--nodes 20`),
 * memory (`--baseline REF`: the git ref to compare with, default main). Builds first (scripts/build.mjs --if-needed);
 * benchmarks import the compiled code from dist/. Traffic goes to 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT, loadAverage } from './bench/lib.mjs';
import { cleanupData } from './bench/data.mjs';

const SECTIONS = {
  sweep: () => import('./bench/sweep.mjs'),
  'sweep-whole': () => import('./bench/sweep-whole.mjs'),
  isolation: () => import('./bench/isolation.mjs'),
  history: () => import('./bench/history.mjs'),
  api: () => import('./bench/api.mjs'),
  peers: () => import('./bench/peers.mjs'),
  'hostile-peers': () => import('./bench/hostile-peers.mjs'),
  'hostile-clients': () => import('./bench/hostile-clients.mjs'),
  ui: () => import('./bench/ui.mjs'),
  fleet: () => import('./bench/fleet.mjs'),
  memory: () => import('./bench/memory.mjs'),
};

const argv = process.argv.slice(2);
const jsonAt = argv.indexOf('--json');
const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
/** Flags that take a value: the word after them is not a section name. */
const valueAt = ['--json', '--nodes', '--baseline'].map((f) => argv.indexOf(f)).filter((i) => i >= 0);
const names = argv.filter((a, i) => !a.startsWith('--') && !valueAt.includes(i - 1));
const unknown = names.filter((n) => !(n in SECTIONS));
if (unknown.length > 0) {
  console.error(`bench: unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}
const chosen = names.length > 0 ? names : Object.keys(SECTIONS);

execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-needed'], { stdio: 'inherit' });

const started = Date.now();
const log = (m) => console.error(`  [${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${m}`);
console.log(`JobMonitor benchmarks: ${new Date().toISOString()}, node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
console.log(`sections: ${chosen.join(', ')}; figures are medians; "ratio" = how many times better ours is than the baseline (> 1 is better)`);

const results = [];
let failed = false;
try {
  for (const name of chosen) {
    const t = Date.now();
    const loadBefore = loadAverage();
    log(`${name}: start (load average ${loadBefore})`);
    try {
      const mod = await SECTIONS[name]();
      const report = await mod.run({ log });
      report.note(`section took ${((Date.now() - t) / 1000).toFixed(0)} s; 1-minute load average ${loadBefore} before, ${loadAverage()} after (other work on the machine skews absolute figures; ratios are measured side by side).`);
      report.print();
      results.push({ section: name, ...report.json() });
    } catch (err) {
      failed = true;
      console.log(`\n== ${name}: FAILED\n  ${err instanceof Error ? err.stack : String(err)}`);
      results.push({ section: name, error: String(err) });
    }
  }
} finally {
  cleanupData();
}
const missed = results.flatMap((r) => (r.rows ?? []).filter((x) => x.pass === false).map((x) => `${r.section}: ${x.what.trim()}`));
console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(0)} s; targets missed: ${missed.length === 0 ? 'none' : missed.join('; ')}`);
if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ at: new Date(started).toISOString(), results }, null, 2));
process.exitCode = failed ? 1 : 0;

#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's test runner.
// (Node 20 has no glob support in `node --test`, so the files are listed here.)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2); // optional sub-folders of test/, e.g. `npm test -- config integration`

function collect(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const base = join(root, 'dist/test');
const files = collect(base).filter((f) => only.length === 0 || only.some((o) => relative(base, f).startsWith(o)));
if (files.length === 0) {
  console.error('test: no compiled test files found under dist/test (did the build run?)');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);

/**
 * What the hostile-input benches share: a GET on a fresh connection (what a
 * load balancer's health check sees), a process's memory from /proc, and an
 * older tree of this repository compiled once into the OS temp dir, to run
 * beside ours in the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

/** GET on a fresh connection; resolves { status, ms } (status 0 on error or after 30 s). */
export function fresh(url, headers = { 'accept-encoding': 'gzip' }) {
  const t = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: { connection: 'close', ...headers }, timeout: 30_000 }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t }));
      res.on('error', () => resolve({ status: 0, ms: performance.now() - t }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t }));
    req.end();
  });
}

/** A field of /proc/<pid>/status in KiB (VmRSS, VmHWM), NaN when the process is gone. */
export function procKiB(pid, key) {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The tree at `ref` (src, workers), compiled once into the OS temp dir against this
 * tree's node_modules; resolves to its dist/src/main.js, or undefined when `ref` is not
 * in this clone.
 */
export function buildTree(ref, label, log) {
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
  const dir = join(tmpdir(), `jm-bench-tree-${commit.slice(0, 12)}`);
  const main = join(dir, 'dist', 'src', 'main.js');
  if (existsSync(main)) return { main, commit };
  log(`${label}: building ${commit.slice(0, 12)} in ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', commit, 'src', 'workers', 'tsconfig.json', 'package.json'], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', include: ['src/**/*.ts', 'workers/**/*.ts'] }));
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  return { main, commit };
}

/**
 * Shared helpers of the benchmark sections: statistics, CPU accounting of
 * this process and its children, the report table, and small process and
 * HTTP utilities. Nothing here measures anything on its own.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'dist');

/** Imports a compiled module of the project: `dist('src/checks/pool.js')`. */
export function dist(path) {
  return import(join(DIST, path));
}

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of `xs`. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(s.length, rank) - 1];
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** utime, stime, cutime, cstime of a process from /proc (ms). */
export function procTimes(pid = 'self') {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of proc(5); f[0] is field 3.
  return {
    utime: Number(f[11]) * TICK_MS,
    stime: Number(f[12]) * TICK_MS,
    cutime: Number(f[13]) * TICK_MS,
    cstime: Number(f[14]) * TICK_MS,
  };
}

/**
 * CPU of this process (all threads, µs precision) and of its reaped
 * descendants (cutime + cstime: every child and grandchild that has been
 * waited for, 10 ms ticks). Call `stop()` after the children are reaped.
 */
export function cpuMeter(extraPids = []) {
  const self0 = process.cpuUsage();
  const kids0 = procTimes();
  const extra0 = extraPids.map((p) => safeTimes(p));
  const wall0 = performance.now();
  return {
    stop() {
      const self = process.cpuUsage(self0);
      const kids = procTimes();
      const extra = extraPids.map((p, i) => {
        const a = extra0[i];
        const b = safeTimes(p);
        return a && b ? b.utime + b.stime - a.utime - a.stime : NaN;
      });
      return {
        wallMs: performance.now() - wall0,
        selfMs: (self.user + self.system) / 1000,
        childrenMs: kids.cutime + kids.cstime - kids0.cutime - kids0.cstime,
        extraMs: extra,
      };
    },
  };
}

function safeTimes(pid) {
  try {
    return procTimes(pid);
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in bytes. */
export function rssOf(pid = 'self') {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Open file descriptors of this process. */
export function fdCount() {
  return readdirSync('/proc/self/fd').length;
}

export const fmt = {
  ms: (v) => (Number.isFinite(v) ? (v >= 100 ? `${Math.round(v)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`) : 'n/a'),
  s: (v) => (Number.isFinite(v) ? `${(v / 1000).toFixed(2)} s` : 'n/a'),
  bytes(v) {
    if (!Number.isFinite(v)) return 'n/a';
    const u = ['B', 'KiB', 'MiB', 'GiB'];
    let i = 0;
    while (v >= 1024 && i < u.length - 1) {
      v /= 1024;
      i++;
    }
    return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${u[i]}`;
  },
  mb: (v) => (Number.isFinite(v) ? `${(v / 1e6).toFixed(v >= 1e9 ? 0 : 1)} MB` : 'n/a'),
  n: (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a'),
  x(v) {
    if (!Number.isFinite(v)) return 'n/a';
    return v >= 100 ? `${Math.round(v)}×` : v >= 10 ? `${v.toFixed(1)}×` : `${v.toFixed(2)}×`;
  },
};

/**
 * A section's report: rows of (what, ours, baseline, ratio, target, verdict),
 * printed as an aligned table, plus free notes. `json()` is what bench.mjs
 * collects for --json.
 */
export function createReport(title) {
  const rows = [];
  const notes = [];
  return {
    title,
    rows,
    notes,
    /**
     * ours/base: display strings; ratio: number (how many times better ours
     * is, > 1 good) or undefined; pass: true/false/undefined (no target).
     */
    row(what, ours, base = '', ratio = undefined, target = '', pass = undefined) {
      rows.push({ what, ours, base, ratio, target, pass });
    },
    note(text) {
      notes.push(text);
    },
    print(out = process.stdout) {
      const head = ['', 'ours', 'baseline', 'ratio', 'target', ''];
      const body = rows.map((r) => [r.what, r.ours, r.base, r.ratio === undefined ? '' : fmt.x(r.ratio), r.target, r.pass === undefined ? '' : r.pass ? 'ok' : 'MISSED']);
      const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
      const line = (cells) => `  ${cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd()}`;
      out.write(`\n== ${title}\n`);
      out.write(`${line(head)}\n`);
      for (const b of body) out.write(`${line(b)}\n`);
      for (const n of notes) out.write(`  - ${n}\n`);
    },
    json() {
      return { title, rows, notes };
    },
  };
}

/** Runs `node file args` and resolves with its stdout parsed as JSON (last line), rejecting on failure. */
export function runNodeJson(file, args = [], opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), file, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${file} exited ${code ?? signal}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${file}: no JSON on stdout: ${out.slice(-500)} ${err.slice(-1000)}`));
      }
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function until(fn, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * GET with node:http (no automatic decompression): status, bytes as sent on
 * the wire (after any content-encoding), and the time to the last byte.
 * With `decoded`, a gzip body is also inflated on the fly and its size counted.
 */
export async function getRaw(url, headers = {}, { decoded = false, timeoutMs = 0 } = {}) {
  const { request } = await import('node:http');
  const { createGunzip } = await import('node:zlib');
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(url, { headers, agent: false }, (res) => {
      let bytes = 0;
      let inflated = 0;
      const encoding = res.headers['content-encoding'] ?? 'identity';
      const gunzip = decoded && encoding === 'gzip' ? createGunzip() : undefined;
      gunzip?.on('data', (d) => (inflated += d.length));
      res.on('data', (d) => {
        bytes += d.length;
        gunzip?.write(d);
      });
      res.on('end', () => {
        const done = () => resolve({ status: res.statusCode, bytes, decodedBytes: gunzip ? inflated : bytes, ms: performance.now() - t, encoding, etag: res.headers.etag });
        if (gunzip) {
          gunzip.on('end', done);
          gunzip.end();
        } else done();
      });
      res.on('error', reject);
    });
    if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The machine's 1-minute load average (other work on this box skews every figure). */
export function loadAverage() {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** The words of package.json's `start` script in `root` (what `npm start` runs). */
function startWords(root) {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts?.start ?? '').split(/\s+/);
}

/** Node flags of the `start` script: the `--` words between `node` and the entry. */
export function startFlags(root) {
  const words = startWords(root);
  return words.filter((a, i) => a.startsWith('--') && words.indexOf('dist/src/main.js') > i);
}

/** Environment the `start` script sets: its `NAME=value` words before `node` (e.g. glibc malloc tunables). */
export function startEnv(root) {
  const words = startWords(root);
  const node = words.indexOf('node');
  return Object.fromEntries(words.slice(0, Math.max(0, node)).map((w) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(w)).filter((m) => m !== null).map((m) => [m[1], m[2]]));
}

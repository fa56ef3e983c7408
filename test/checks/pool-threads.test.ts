/**
 * What a sweep costs in threads, as `top -H` or /proc would show it: a sweep
 * of 500 units runs on a few check threads (each ~7 MB of RSS), and they are
 * gone once the pool is idle.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TargetConfig } from '../../src/config/types.js';
import { createCheckPool } from '../../src/checks/pool.js';
import { poolThreadsFor } from '../../src/checks/pool-size.js';
import { makeFakeBin, type FakeBin } from '../workers/fake-bin.js';

let bin: FakeBin | undefined;
after(() => bin?.cleanup());

/** Threads of this process now. */
function threads(): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
}

const unit = (i: number): TargetConfig => ({ id: `u${i}`, name: `Unit ${i}`, service: `ok-${i}.service`, timeout_seconds: 15, use_sudo: false });

test('a sweep of 500 units (plus the DNS probe) runs on at most 3 check threads, retired once idle', { timeout: 120_000 }, async () => {
  bin = await makeFakeBin();
  // libuv starts its thread pool at its first use; start it now so it is not counted as check threads.
  await readFile(new URL(import.meta.url));
  const base = threads();
  const maxThreads = poolThreadsFor(500, true);
  const pool = createCheckPool({ maxThreads, idleTimeout: 3_000, env: bin.env() });
  try {
    const results = await pool.checkTargets(Array.from({ length: 500 }, (_, i) => unit(i)));
    assert.equal(results.filter((r) => r.ok && r.state === 'active').length, 500, 'every unit checked');
    const during = threads() - base;
    assert.ok(during >= 1 && during <= 3, `check threads alive after the sweep: ${during} (ceiling ${maxThreads})`);
    while (threads() > base) await new Promise((r) => setTimeout(r, 100));
    assert.equal(threads(), base, 'no check thread left when idle');
  } finally {
    await pool.close();
  }
});

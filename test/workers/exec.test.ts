import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTimed } from '../../workers/exec.js';
import { recordedPids, survivors } from './fake-bin.js';

async function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jm-exec-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('collects exit code, stdout and stderr', async () => {
  const r = await runTimed('bash', ['-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 10_000 });
  assert.equal(r.kind, 'exit');
  if (r.kind !== 'exit') return;
  assert.equal(r.code, 3);
  assert.equal(r.signal, null);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('runs without a shell: arguments are passed literally', async () => {
  const r = await runTimed('printf', ['%s', '$(echo injected); id'], { timeoutMs: 10_000 });
  assert.equal(r.kind === 'exit' && r.stdout, '$(echo injected); id');
});

test('forces plain C-locale, UTC, uncoloured, pager-less output', async () => {
  const r = await runTimed('env', [], { timeoutMs: 10_000, env: { PATH: process.env.PATH ?? '', LANG: 'de_DE.UTF-8', SYSTEMD_COLORS: '1' } });
  assert.equal(r.kind, 'exit');
  if (r.kind !== 'exit') return;
  const lines = r.stdout.split('\n');
  for (const want of ['LANG=C', 'LC_ALL=C', 'TZ=UTC', 'SYSTEMD_COLORS=0', 'SYSTEMD_PAGER=']) assert.ok(lines.includes(want), want);
});

test('stdin is closed, so a program reading it does not wait', { timeout: 10_000 }, async () => {
  const r = await runTimed('cat', [], { timeoutMs: 8_000 });
  assert.deepEqual(r.kind === 'exit' && [r.code, r.stdout], [0, '']);
});

test('a program not on PATH is a spawn error, not an exit', async () => {
  const r = await runTimed('jm-no-such-program', [], { timeoutMs: 1000, env: { PATH: '/nonexistent' } });
  assert.equal(r.kind, 'spawn-error');
  assert.equal(r.kind === 'spawn-error' && r.code, 'ENOENT');
});

test('reports a death by signal', async () => {
  const r = await runTimed('bash', ['-c', 'kill -TERM $$'], { timeoutMs: 10_000 });
  assert.deepEqual(r.kind === 'exit' && [r.code, r.signal], [null, 'SIGTERM']);
});

test('keeps at most maxOutputBytes of output and says how much was dropped', async () => {
  const r = await runTimed('head', ['-c', '100000', '/dev/zero'], { timeoutMs: 10_000, maxOutputBytes: 1000 });
  assert.equal(r.kind, 'exit');
  if (r.kind !== 'exit') return;
  assert.equal(r.code, 0);
  assert.ok(r.stdout.startsWith('\0'.repeat(1000) + '\n'));
  assert.match(r.stdout, /\[99000 bytes of output dropped\]$/);
});

test('at the deadline the whole process group dies and the call answers without waiting for the pipe', { timeout: 15_000 }, () =>
  withTmp(async (dir) => {
    const pids = path.join(dir, 'pids');
    // The sleep is a grandchild holding stdout open for 30 s: waiting for the pipe would block that long.
    const script = `echo $$ >> ${pids}; sleep 30 & echo $! >> ${pids}; wait`;
    const r = await runTimed('bash', ['-c', script], { timeoutMs: 300 });
    assert.equal(r.kind, 'timeout');
    const recorded = recordedPids(pids);
    assert.equal(recorded.length, 2);
    assert.deepEqual(await survivors(recorded), []);
  }),
);

test('a program that exits while its child holds the pipe still answers, and the child is ended', { timeout: 15_000 }, () =>
  withTmp(async (dir) => {
    const pids = path.join(dir, 'pids');
    const r = await runTimed('bash', ['-c', `sleep 30 & echo $! >> ${pids}; echo started`], { timeoutMs: 8_000, closeGraceMs: 100 });
    assert.equal(r.kind, 'exit');
    if (r.kind !== 'exit') return;
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'started\n');
    assert.deepEqual(await survivors(recordedPids(pids)), []);
  }),
);

test('many forced timeouts leave no process and no open fd behind', { timeout: 60_000 }, () =>
  withTmp(async (dir) => {
    const fdsBefore = (await readdir('/proc/self/fd')).length;
    const pids = path.join(dir, 'pids');
    const script = `echo $$ >> ${pids}; sleep 30 & echo $! >> ${pids}; wait`;
    for (let round = 0; round < 4; round++) {
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => runTimed('bash', ['-c', script], { timeoutMs: 200 })));
      assert.ok(outcomes.every((o) => o.kind === 'timeout'));
    }
    assert.deepEqual(await survivors(recordedPids(pids), 10_000), []);
    // Handles close on the next turns of the event loop; wait for the count to settle.
    let fdsAfter = Infinity;
    for (let i = 0; i < 100 && fdsAfter > fdsBefore; i++) {
      await new Promise((r) => setTimeout(r, 20));
      fdsAfter = (await readdir('/proc/self/fd')).length;
    }
    assert.ok(fdsAfter <= fdsBefore, `fds before ${fdsBefore}, after ${fdsAfter}`);
  }),
);

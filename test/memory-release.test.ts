/**
 * A quiet daemon gives back the memory of the answers it dropped: a full
 * collection follows a drop of large idle answers when node runs with
 * --expose-gc (as `npm start` runs it), and nothing happens without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createMemoryRelease } from '../src/memory-release.js';

const turn = () => new Promise<void>((r) => setTimeout(r, 5));

test('one collection for the frees of one pass, none below the threshold, none without gc', async () => {
  let runs = 0;
  const release = createMemoryRelease({ gc: () => runs++, minBytes: 1000, delayMs: 0 });
  release.freed(400);
  await turn();
  assert.equal(runs, 0, '400 bytes are not worth a collection');
  release.freed(400);
  release.freed(400);
  release.freed(5000);
  await turn();
  assert.equal(runs, 1, 'the frees reported together are collected once');
  release.freed(0);
  release.freed(-5);
  await turn();
  assert.equal(runs, 1);

  const off = createMemoryRelease({ gc: undefined, minBytes: 1 });
  off.freed(1e9);
  await turn();
  assert.equal(off.collections(), 0, 'node without --expose-gc: nothing to run');

  let cancelled = 0;
  const closing = createMemoryRelease({ gc: () => cancelled++, minBytes: 1, delayMs: 0 });
  closing.freed(10);
  closing.close();
  await turn();
  assert.equal(cancelled, 0, 'close() cancels a pending collection');
});

test('answers dropped for being idle go back to the system in a node started with --expose-gc, without waiting for V8', () => {
  const url = (p: string) => new URL(p, import.meta.url).href;
  // A process like the daemon after a burst of large answers: they lived long enough to be in the
  // old generation, then the cache drops them for being idle while nothing else allocates.
  const script = `
    import { AnswerCache } from ${JSON.stringify(url('../src/http/answer-cache.js'))};
    import { createMemoryRelease } from ${JSON.stringify(url('../src/memory-release.js'))};
    import { toBytes } from ${JSON.stringify(url('../src/http/answer.js'))};
    let clock = 0;
    const release = createMemoryRelease({ delayMs: 0 });
    const cache = new AnswerCache({ idleMs: 1000, largeBytes: 1024, now: () => clock, onIdleDrop: (b) => release.freed(b) });
    for (let i = 0; i < 24; i++) cache.answer('k' + i, 'v', () => ({ bytes: toBytes([Buffer.alloc(1 << 20, 65 + (i % 26))]), type: 'text/plain' }));
    for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 20));
    const held = process.memoryUsage().arrayBuffers;
    clock = 5000;
    cache.dropIdle();
    while (release.collections() === 0) await new Promise((r) => setTimeout(r, 10));
    // The collection has run; V8 frees the buffers' memory as its sweeper threads reach them,
    // which on a busy machine can end after gc() returns: give that up to 5 s. Nothing here
    // allocates, so without the collection V8 would not run one in that time.
    let after = process.memoryUsage().arrayBuffers;
    for (let t = 0; t < 250 && after >= 4 << 20; t++) {
      await new Promise((r) => setTimeout(r, 20));
      after = process.memoryUsage().arrayBuffers;
    }
    console.log(JSON.stringify({ held, after, size: cache.size }));
    process.exit(0);
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-semi-space-size=1', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const { held, after, size } = JSON.parse(r.stdout) as { held: number; after: number; size: number };
  assert.equal(size, 0, 'every idle large answer was dropped');
  assert.ok(held >= 24 << 20, `the answers were held (${held} bytes)`);
  assert.ok(after < 4 << 20, `their 24 MiB went back (${after} bytes of buffers left)`);
});

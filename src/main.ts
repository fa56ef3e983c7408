#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=65536 node --max-semi-space-size=1 --heap-growing-percent=30 --expose-gc
/**
 * The executable: runs the command line (src/run.ts) and exits with its
 * status. The daemon's parts are wired in src/daemon.ts.
 *
 * The shebang (and package.json `start`, and the service unit) caps V8's
 * semi-space at 1 MB: with 500 units and 30 days of history the daemon then
 * holds 25-55 MB less (scripts/bench/memory.mjs, BENCHMARKS.md); a daemon
 * allocates little per second, so the young generation needs no room.
 *
 * `--heap-growing-percent=30`: after each full collection V8 lets its heap
 * grow to 1.3 times what is live before the next one, instead of up to 4
 * times; under 50-connection load on every endpoint the daemon peaked 30-45 MB
 * lower, for no CPU per request that could be measured. `--expose-gc` lets it
 * give back the memory of API answers it drops after a busy spell
 * (src/memory-release.ts).
 *
 * It also pins glibc's mmap threshold, at 64 KiB. Left dynamic, glibc raises
 * the threshold (up to 32 MiB) each time a large buffer is freed, and from
 * then on buffers below it come from the heap, where what is freed between
 * live blocks is never returned: loading 30 days of history and answering
 * large requests then leaves 30-50 MB behind. Pinned, every buffer of 64 KiB
 * or more is its own mapping and goes back to the system when freed; at
 * 64 KiB rather than glibc's default 128 KiB, that includes the 64 KiB read
 * buffer of each socket read, which under load otherwise left ~10 MB of holes
 * in the heap. (Read by glibc at start only, hence the environment; other C
 * libraries ignore it.) Figures: docs/memory.md.
 *
 * `npm start` and the service unit also set MALLOC_ARENA_MAX=2 (glibc's
 * memory pools for threads: 0.6 MB less at rest); the shebang leaves it out
 * to stay within the 127 bytes older kernels read of a `#!` line.
 */
import { run } from './run.js';

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`jobmonitor: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

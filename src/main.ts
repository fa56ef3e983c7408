#!/usr/bin/env -S node --max-semi-space-size=1
/**
 * The executable: runs the command line (src/run.ts) and exits with its
 * status. The daemon's parts are wired in src/daemon.ts.
 *
 * The shebang (and package.json `start`) caps V8's semi-space at 1 MB: with
 * 500 units and 30 days of history the daemon then holds 25-55 MB less
 * (scripts/bench/memory.mjs, BENCHMARKS.md); a daemon allocates little per
 * second, so the young generation needs no room.
 */
import { run } from './run.js';

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`jobmonitor: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

/**
 * The daemon as the tests start it: the real command line (src/run.ts) in its
 * own process, plus the test-only options (DaemonTestOptions) passed as JSON
 * in JM_TEST_HOOKS. The installed daemon (src/main.ts) has no such input.
 */
import { run } from '../../src/run.js';

interface Hooks {
  /** Floor of peer_refresh_seconds, in seconds. */
  minPeerRefreshSeconds?: number;
  /** A file: URL of a worker module used instead of workers/check-worker.js. */
  checkWorkerFile?: string;
}

const hooks = JSON.parse(process.env['JM_TEST_HOOKS'] ?? '{}') as Hooks;
run(process.argv.slice(2), {
  ...(hooks.minPeerRefreshSeconds !== undefined ? { minPeerRefreshMs: hooks.minPeerRefreshSeconds * 1000 } : {}),
  ...(hooks.checkWorkerFile !== undefined ? { checkWorkerFile: new URL(hooks.checkWorkerFile) } : {}),
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`jobmonitor (test entry): fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

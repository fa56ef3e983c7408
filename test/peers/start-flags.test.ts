/**
 * Peers of a daemon started as `npm start` (and the shebang, and the service
 * unit) start it: with the node flags and environment of package.json's start
 * script. The peer-decode thread must start under them; it once took the
 * process's V8 flags into its own execArgv, which a Worker refuses, so a daemon
 * started that way never decoded a peer page (found by the fleet bench once it
 * started its daemons with the start script's flags).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerSnapshot } from '../../src/types.js';
import { eventually, ROOT, startDaemonProcess, type DaemonProcess } from '../helpers/daemon.js';
import { makeFakeBin, type FakeBin } from '../workers/fake-bin.js';

/** package.json's start script: its NAME=value words before `node`, and the flags between `node` and the entry. */
function startScript(): { env: Record<string, string>; nodeArgs: string[] } {
  const words = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  const node = words.indexOf('node');
  const entry = words.indexOf('dist/src/main.js');
  const env = Object.fromEntries(words.slice(0, node).map((w) => w.split('=') as [string, string]));
  return { env, nodeArgs: words.slice(node + 1, entry) };
}

describe('a daemon started with the start script\'s flags syncs its peers', { concurrency: false, timeout: 90_000 }, () => {
  let bin: FakeBin;
  let node: DaemonProcess;
  let aggregator: DaemonProcess;
  const start = startScript();

  before(async () => {
    bin = await makeFakeBin();
    const target = { id: 'ok', name: 'OK Service', service: 'ok.service', timeout_seconds: 2 };
    node = await startDaemonProcess({
      config: { interval_minutes: 5, data_directory: 'data', node_id: 'node-b', node_name: 'B', targets: [target] },
      pathPrepend: [bin.dir], ...start,
    });
    aggregator = await startDaemonProcess({
      config: { interval_minutes: 5, data_directory: 'data', node_id: 'node-a', node_name: 'A', targets: [target], peers: [{ id: 'node-b', name: 'B', base_url: node.url }] },
      pathPrepend: [bin.dir], ...start,
    });
  });

  after(async () => {
    await Promise.all([aggregator, node].map((d) => d?.stop()));
    await bin?.cleanup();
  });

  it('the start script sets node flags (else this test proves nothing)', () => {
    assert.ok(start.nodeArgs.some((a) => a.startsWith('--max-semi-space-size')), start.nodeArgs.join(' '));
  });

  it('the peer shows its units and its history, with no error', async () => {
    const peer = await eventually(async () => {
      const nodes = (await aggregator.get('/api/cluster?range=24h')).body?.nodes as PeerSnapshot[] | undefined;
      const p = nodes?.find((s) => s.node.id === 'node-b');
      return p !== undefined && p.syncing !== true && p.services.some((s) => s.id === 'ok' && s.total_checks > 0) ? p : undefined;
    }, 60_000, 'the aggregator to show node-b with its samples');
    assert.equal(peer.error, undefined);
    assert.equal(peer.stale, false);
    assert.doesNotMatch(aggregator.logs(), /invalid execArgv|ERR_WORKER_INVALID_EXEC_ARGV/);
  });
});

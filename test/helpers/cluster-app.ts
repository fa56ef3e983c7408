/**
 * Test helper: the real app of an aggregating node over a real peer poller,
 * with an empty local history, on 127.0.0.1. With `wired`, as the daemon wires
 * it: each peer's own versions (the poller's views) and a counter every
 * refresh moves; without, the poller's snapshots alone.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { TargetConfig } from '../../src/config/types.js';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import { SampleLog } from '../../src/history/sample-log.js';
import { createApp } from '../../src/http/app.js';
import { createLocalNode } from '../../src/node/local.js';
import type { PeerPoller } from '../../src/peers/poller.js';
import { createLogQueries } from '../../src/views/log-queries.js';
import { testConfig } from './config.js';

export interface ClusterAppOptions {
  nodeId: string;
  /** The app's clock. */
  now: () => number;
  targets: Array<Pick<TargetConfig, 'id' | 'name' | 'service'>>;
  /** The daemon's wiring: the poller's views, and `refreshes` as the peers' data version. */
  wired?: { refreshes: () => number };
}

/** Serves the app; resolves to its URL and a close(). */
export async function serveClusterApp(p: PeerPoller, o: ClusterAppOptions): Promise<{ url: string; close(): Promise<void> }> {
  const config = testConfig({ data_directory: '/nonexistent', node_id: o.nodeId, node_name: o.nodeId, peer_refresh_seconds: 15, targets: o.targets });
  const local = createLocalNode({ config, history: createLogQueries(new SampleLog(), new ConnectivityLog()), now: o.now, version: 't' });
  const app = createApp({
    local,
    peers: (range) => p.snapshots(range),
    ...(o.wired !== undefined ? { peerViews: () => p.views(), versions: { peers: o.wired.refreshes, incidents: () => 0 } } : {}),
    health: () => ({ lastSampleAt: undefined, intervalMs: 60_000, startedAt: 0, pendingWrites: 0, lastWriteError: undefined }),
    log: { info: () => {}, warn: () => {}, error: () => {} },
    now: o.now,
    historyCap: 43205,
    publicDir: tmpdir(),
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

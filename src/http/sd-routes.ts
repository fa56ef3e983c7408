import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { Context } from 'koa';
import { HttpError } from './errors.js';

/** Where a node is scraped, and the labels its series get. */
export interface SdNode {
  id: string;
  name: string;
  /** The node's root URL (a peer's base_url); absent for this node, which is addressed as the request reached it. */
  baseUrl?: string;
}

/** One target group of Prometheus' HTTP service discovery. */
export interface SdTargetGroup {
  targets: [string];
  labels: Record<string, string>;
}

export interface SdRouteDeps {
  self: () => SdNode;
  /** Enabled peers (disabled ones are left out by the caller). */
  peers: () => readonly SdNode[];
}

/** The path Prometheus' `http_sd_configs` url points at. */
export const SD_PATH = '/api/prometheus/targets';

/** A Host header we are willing to echo back as a scrape address: name or [v6] literal, optional port. */
const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * GET /api/prometheus/targets: this node and its enabled peers in the HTTP
 * SD format (a JSON list of `{targets, labels}`), so one scrape config covers
 * a cluster. Each group sets `__scheme__` and `__metrics_path__` from the
 * node's base URL and labels its series with `jobmonitor_node` (id),
 * `jobmonitor_node_name` and `jobmonitor_source` (`local` or `peer`); these
 * names do not clash with the `node` label of every series, which stays the
 * node that exported it. Behind the API key with the rest of /api/.
 */
export function sdRoutes(deps: SdRouteDeps): Router {
  const router = createRouter();
  router.get(SD_PATH, (ctx) => {
    const self = deps.self();
    const groups = [group(self, selfUrl(ctx, self), 'local')];
    for (const peer of deps.peers()) {
      if (peer.baseUrl !== undefined) groups.push(group(peer, new URL(peer.baseUrl), 'peer'));
    }
    ctx.body = groups;
  });
  return router;
}

/** This node's URL: its configured one, else the scheme and Host the request came with. */
function selfUrl(ctx: Context, self: SdNode): URL {
  if (self.baseUrl !== undefined) return new URL(self.baseUrl);
  const host = ctx.get('Host');
  if (!HOST.test(host)) throw new HttpError(400, 'the Host header is missing or not a host[:port]: it names this node\'s scrape address');
  return new URL(`${ctx.protocol}://${host}`);
}

function group(node: SdNode, url: URL, source: 'local' | 'peer'): SdTargetGroup {
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return {
    targets: [`${url.hostname}:${port}`],
    labels: {
      __scheme__: url.protocol.replace(/:$/, ''),
      __metrics_path__: `${url.pathname.replace(/\/+$/, '')}/metrics`,
      jobmonitor_node: node.id,
      jobmonitor_node_name: node.name,
      jobmonitor_source: source,
    },
  };
}

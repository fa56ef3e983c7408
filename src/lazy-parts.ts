/**
 * Parts the daemon loads only when its configuration uses them. got (the
 * HTTP client of peers and notifications) and its dependencies hold ~15 MB of
 * RSS (measured: scripts/bench/memory.mjs); a daemon with neither peers nor
 * notification channels never needs it. prom-client and the metrics modules
 * (~2.5 MB) wait for the first scrape of /metrics.
 */
import type { Registry } from 'prom-client';
import type { AnswerCache } from './http/answer-cache.js';
import type { MetricsRegistryOptions } from './metrics/registry.js';
import type { MetricsSources } from './metrics/sources.js';
import type { Notifier, NotifierOptions } from './notify/notifier.js';
import type { PeerClient, PeerClientOptions } from './peers/client.js';

/** What a notifier without channels does: nothing. */
const NO_CHANNELS: Notifier = {
  notify: () => undefined,
  notifyAll: () => undefined,
  heldBack: () => [],
  pending: () => 0,
  idle: () => Promise.resolve(),
  stop: () => Promise.resolve(),
};

/** The notifier for `opts`; its module (and got) is loaded only when there is a channel. */
export async function loadNotifier(opts: NotifierOptions): Promise<Notifier> {
  if (opts.channels.length === 0) return NO_CHANNELS;
  const { createNotifier } = await import('./notify/notifier.js');
  return createNotifier(opts);
}

/** A peer client whose module (and got) is loaded at its first request. */
export function lazyPeerClient(opts: PeerClientOptions): PeerClient {
  let client: Promise<PeerClient> | undefined;
  const get = (): Promise<PeerClient> => (client ??= import('./peers/client.js').then((m) => m.createPeerClient(opts)));
  return {
    async getBytes(peer, path, signal, shape) {
      return (await get()).getBytes(peer, path, signal, shape);
    },
    async getJson(peer, path, signal) {
      return (await get()).getJson(peer, path, signal);
    },
    close() {
      void client?.then((c) => c.close());
    },
  };
}

/**
 * The Prometheus registry, built at the first scrape: a daemon nobody scrapes
 * never loads prom-client. Every value is read from the live objects when
 * scraped, so nothing is lost before; the sample counters count from `opts.seed`
 * (the newest sample at start), and the runtime metrics that count events
 * (GC, event-loop delay) from the first scrape.
 */
export function lazyMetricsRegistry(src: MetricsSources, opts: MetricsRegistryOptions, answers: AnswerCache): () => Promise<Registry> {
  let registry: Promise<Registry> | undefined;
  return () =>
    (registry ??= Promise.all([import('./metrics/registry.js'), import('./http/answer-cache-metrics.js')]).then(([m, a]) => {
      const r = m.createMetricsRegistry(src, opts);
      a.registerAnswerCacheMetrics(r, answers, src.node.id);
      return r;
    }));
}

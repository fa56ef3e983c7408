/**
 * Parts the daemon loads only when its configuration uses them. got (the
 * HTTP client of peers and notifications) and its dependencies hold ~15 MB of
 * RSS (measured: scripts/bench/memory.mjs); a daemon with neither peers nor
 * notification channels never needs it.
 */
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

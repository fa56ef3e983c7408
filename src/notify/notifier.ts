/**
 * Notifications for incident openings and resolutions, sent in the
 * background: `notify()` only queues and returns, so checks never wait on a
 * receiver. Each channel (channel.ts) has its own queue, sent in order one at
 * a time (a resolve never overtakes its open) and bounded: when full, the
 * oldest waiting notification is dropped, with a log line.
 *
 * Before queueing, the events of one sweep are grouped per channel (more
 * than `group_threshold` unit openings go as one message, resolutions
 * likewise), and each channel's rate limit (`rate_limit_per_hour`, over the
 * last hour) holds back what is over it, with a log line each; the next
 * message sent says how many were held back.
 */
import type { NotificationConfig } from '../config/types.js';
import type { IncidentEvent } from '../incidents/types.js';
import type { Logger } from '../log.js';
import { Channel, type ChannelDeps } from './channel.js';
import type { DeliveryOptions } from './deliver.js';
import { groupEvents } from './notification.js';

/** Notifications waiting per channel by default. */
export const DEFAULT_QUEUE_LIMIT = 100;

export interface NotifierOptions {
  channels: readonly NotificationConfig[];
  log: Logger;
  /** Our version, sent as `User-Agent: jobmonitor-ts/<version>`. */
  version: string;
  /** Waiting notifications per channel before the oldest is dropped (default 100). */
  queueLimit?: number;
  /** Retries and backoff (tests shorten them). */
  delivery?: DeliveryOptions;
  /** Clock of the rate limits (default Date.now). */
  now?: () => number;
}

/** Notifications a channel's rate limit held back since start. */
export interface HeldBackCount {
  receiver: string;
  count: number;
}

export interface Notifier {
  /** Queues the event for every channel that wants it; returns at once, never throws. */
  notify(event: IncidentEvent): void;
  /** Queues the events of one sweep (or other observation), grouped per channel; returns at once, never throws. */
  notifyAll(events: readonly IncidentEvent[]): void;
  /** Per channel, notifications held back by its rate limit since start. */
  heldBack(): HeldBackCount[];
  /** Notifications waiting or being sent, over all channels. */
  pending(): number;
  /** Resolves when every queue is empty (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops accepting, gives queued notifications up to `graceMs` (default 5 s), then cancels the rest; logs what was not sent. */
  stop(graceMs?: number): Promise<void>;
}

export function createNotifier(opts: NotifierOptions): Notifier {
  const { log } = opts;
  const abort = new AbortController();
  let accepting = true;
  const deps: ChannelDeps = {
    log,
    userAgent: `jobmonitor-ts/${opts.version}`,
    queueLimit: Math.max(1, opts.queueLimit ?? DEFAULT_QUEUE_LIMIT),
    delivery: opts.delivery ?? {},
    signal: abort.signal,
    now: opts.now ?? Date.now,
  };
  const channels = opts.channels.map((config) => new Channel(config, deps));

  const idle = async (): Promise<void> => {
    while (channels.some((c) => c.running !== undefined)) {
      await Promise.all(channels.map((c) => c.running));
    }
  };

  const notifyAll = (events: readonly IncidentEvent[]): void => {
    if (!accepting || events.length === 0) return;
    for (const ch of channels) {
      const wanted = events.filter((e) => ch.config.on.includes(e.type));
      for (const n of groupEvents(wanted, ch.config.group_threshold)) ch.offer(n);
    }
  };

  return {
    notify: (event) => notifyAll([event]),
    notifyAll,
    heldBack: () => channels.map((c) => ({ receiver: c.config.id, count: c.heldTotal })),
    pending: () => channels.reduce((n, c) => n + c.queue.length + (c.running !== undefined ? 1 : 0), 0),
    idle,
    async stop(graceMs = 5_000) {
      accepting = false;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        idle().then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (!timedOut) return;
      for (const ch of channels) {
        if (ch.queue.length > 0) log.warn(`${ch.label}: ${ch.queue.length} notification(s) not sent: shutting down`);
        ch.queue.length = 0;
      }
      abort.abort();
      await idle();
    },
  };
}

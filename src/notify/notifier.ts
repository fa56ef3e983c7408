/**
 * Notifications for incident openings and resolutions, sent in the
 * background: `notify()` only queues and returns, so checks never wait on a
 * receiver. Each channel has its own queue, sent in order one at a time (a
 * resolve never overtakes its open) and bounded: when full, the oldest
 * waiting notification is dropped, with a log line.
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
import { deliver, type DeliveryOptions } from './deliver.js';
import { groupEvents, type HeldBack, type Notification } from './notification.js';
import { createRateWindow, type RateWindow } from './rate-limit.js';
import { buildRequest } from './request.js';

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

interface Channel {
  config: NotificationConfig;
  label: string;
  queue: Notification[];
  running: Promise<void> | undefined;
  rate: RateWindow | undefined;
  /** Held back since the last message queued; told in the next one. */
  pendingHeld: HeldBack | undefined;
  heldTotal: number;
}

/** `open of unit web (Web server)` / `open of 20 units (a, b, c, …)`: which notification a log line is about. */
function what(n: Notification): string {
  if (n.events.length > 1) {
    const ids = n.events.slice(0, 3).map((e) => e.incident.subject).join(', ');
    return `${n.type} of ${n.events.length} units (${ids}${n.events.length > 3 ? ', …' : ''})`;
  }
  const inc = n.events[0]!.incident;
  return `${n.type} of ${inc.kind} ${inc.subject}${inc.name !== inc.subject ? ` (${inc.name})` : ''}`;
}

/** The host only: webhook URLs (Slack, Discord) and ntfy topics are secrets and never logged. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

export function createNotifier(opts: NotifierOptions): Notifier {
  const { log } = opts;
  const limit = Math.max(1, opts.queueLimit ?? DEFAULT_QUEUE_LIMIT);
  const userAgent = `jobmonitor-ts/${opts.version}`;
  const abort = new AbortController();
  let accepting = true;
  const now = opts.now ?? Date.now;
  const channels: Channel[] = opts.channels.map((config) => {
    const perHour = config.rate_limit_per_hour;
    return {
      config,
      label: `notification "${config.id}" (${config.type} to ${hostOf(config.url)})`,
      queue: [],
      running: undefined,
      rate: perHour > 0 ? createRateWindow(perHour, 60 * 60 * 1000) : undefined,
      pendingHeld: undefined,
      heldTotal: 0,
    };
  });

  /** Over the limit: held back and logged; else stamped with what was held back before it. */
  const admit = (ch: Channel, n: Notification): boolean => {
    const t = now();
    if (ch.rate === undefined || ch.rate.take(t)) {
      if (ch.pendingHeld !== undefined) n.heldBack = ch.pendingHeld;
      ch.pendingHeld = undefined;
      return true;
    }
    const limit = ch.rate.limit;
    ch.pendingHeld = { count: (ch.pendingHeld?.count ?? 0) + 1, since: ch.pendingHeld?.since ?? new Date(t).toISOString(), limit };
    ch.heldTotal++;
    const free = new Date(ch.rate.nextFreeAt(t)).toISOString();
    log.warn(`${ch.label}: rate limit of ${limit} per hour reached: held back ${what(n)} (${ch.pendingHeld.count} held back since ${ch.pendingHeld.since}; sending resumes at ${free})`);
    return false;
  };

  const enqueue = (ch: Channel, n: Notification): void => {
    ch.queue.push(n);
    if (ch.queue.length > limit) {
      const dropped = ch.queue.shift()!;
      log.warn(`${ch.label}: queue full (${limit} waiting), dropped the oldest: ${what(dropped)}`);
    }
    drain(ch);
  };

  const send = async (ch: Channel, event: Notification): Promise<void> => {
    const req = buildRequest(ch.config, event, userAgent);
    const r = await deliver(req, ch.config.timeout_seconds * 1000, opts.delivery ?? {}, abort.signal);
    if (r.ok) {
      log.info(`${ch.label}: sent ${what(event)}${r.attempts > 1 ? ` after ${r.attempts} attempts` : ''}`);
    } else if (r.cancelled) {
      log.warn(`${ch.label}: ${what(event)} not sent: shutting down`);
    } else {
      log.error(`${ch.label}: gave up on ${what(event)} after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}: ${r.error}`);
    }
  };

  const drain = (ch: Channel): void => {
    if (ch.running !== undefined) return;
    ch.running = (async () => {
      for (let event = ch.queue.shift(); event !== undefined; event = ch.queue.shift()) {
        try {
          await send(ch, event);
        } catch (e) {
          log.error(`${ch.label}: ${what(event)} failed unexpectedly: ${String(e)}`);
        }
      }
    })().finally(() => {
      ch.running = undefined;
      // An event queued while the loop was finishing.
      if (ch.queue.length > 0 && !abort.signal.aborted) drain(ch);
    });
  };

  const idle = async (): Promise<void> => {
    while (channels.some((c) => c.running !== undefined)) {
      await Promise.all(channels.map((c) => c.running));
    }
  };

  const notifyAll = (events: readonly IncidentEvent[]): void => {
    if (!accepting || events.length === 0) return;
    for (const ch of channels) {
      const wanted = events.filter((e) => ch.config.on.includes(e.type));
      const threshold = ch.config.group_threshold;
      for (const n of groupEvents(wanted, threshold)) if (admit(ch, n)) enqueue(ch, n);
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

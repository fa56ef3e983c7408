/**
 * Notifications for incident openings and resolutions, sent in the
 * background: `notify()` only queues and returns, so checks never wait on a
 * receiver. Each channel has its own queue, sent in order one at a time (a
 * resolve never overtakes its open) and bounded: when full, the oldest
 * waiting notification is dropped, with a log line.
 */
import type { NotificationConfig } from '../config/types.js';
import type { IncidentEvent } from '../incidents/types.js';
import type { Logger } from '../log.js';
import { deliver, type DeliveryOptions } from './deliver.js';
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
}

export interface Notifier {
  /** Queues the event for every channel that wants it; returns at once, never throws. */
  notify(event: IncidentEvent): void;
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
  queue: IncidentEvent[];
  running: Promise<void> | undefined;
}

/** `open of unit web (Web server)`: which notification a log line is about. */
function what(e: IncidentEvent): string {
  const inc = e.incident;
  return `${e.type} of ${inc.kind} ${inc.subject}${inc.name !== inc.subject ? ` (${inc.name})` : ''}`;
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
  const channels: Channel[] = opts.channels.map((config) => ({
    config,
    label: `notification "${config.id}" (${config.type} to ${hostOf(config.url)})`,
    queue: [],
    running: undefined,
  }));

  const send = async (ch: Channel, event: IncidentEvent): Promise<void> => {
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

  return {
    notify(event) {
      if (!accepting) return;
      for (const ch of channels) {
        if (!ch.config.on.includes(event.type)) continue;
        ch.queue.push(event);
        if (ch.queue.length > limit) {
          const dropped = ch.queue.shift()!;
          log.warn(`${ch.label}: queue full (${limit} waiting), dropped the oldest: ${what(dropped)}`);
        }
        drain(ch);
      }
    },
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

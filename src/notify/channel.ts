/**
 * One receiver's side of the notifier: its rate limit, its bounded queue, and
 * the loop that sends the queue in order, one at a time (a resolve never
 * overtakes its open). Nothing here is awaited by a check.
 */
import type { NotificationConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { deliver, type DeliveryOptions } from './deliver.js';
import type { HeldBack, Notification } from './notification.js';
import { createRateWindow, type RateWindow } from './rate-limit.js';
import { buildRequest } from './request.js';

/** What every channel shares: the notifier's settings and its shutdown signal. */
export interface ChannelDeps {
  log: Logger;
  /** `jobmonitor-ts/<version>`. */
  userAgent: string;
  /** Waiting notifications before the oldest is dropped. */
  queueLimit: number;
  delivery: DeliveryOptions;
  /** Aborted when the notifier gives up on what is still queued. */
  signal: AbortSignal;
  now: () => number;
}

/** `open of unit web (Web server)` / `open of 20 units (a, b, c, …)`: which notification a log line is about. */
export function what(n: Notification): string {
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

export class Channel {
  readonly label: string;
  readonly queue: Notification[] = [];
  /** The send loop, while it runs. */
  running: Promise<void> | undefined;
  /** Notifications the rate limit held back since start. */
  heldTotal = 0;
  private readonly rate: RateWindow | undefined;
  /** Held back since the last message queued; told in the next one. */
  private pendingHeld: HeldBack | undefined;

  constructor(
    readonly config: NotificationConfig,
    private readonly deps: ChannelDeps,
  ) {
    this.label = `notification "${config.id}" (${config.type} to ${hostOf(config.url)})`;
    const perHour = config.rate_limit_per_hour;
    this.rate = perHour > 0 ? createRateWindow(perHour, 60 * 60 * 1000) : undefined;
  }

  /** Queues `n` unless the rate limit holds it back (logged); the queue is sent in the background. */
  offer(n: Notification): void {
    if (this.admit(n)) this.enqueue(n);
  }

  /** Over the limit: held back and logged; else stamped with what was held back before it. */
  private admit(n: Notification): boolean {
    const t = this.deps.now();
    if (this.rate === undefined || this.rate.take(t)) {
      if (this.pendingHeld !== undefined) n.heldBack = this.pendingHeld;
      this.pendingHeld = undefined;
      return true;
    }
    const limit = this.rate.limit;
    const held = { count: (this.pendingHeld?.count ?? 0) + 1, since: this.pendingHeld?.since ?? new Date(t).toISOString(), limit };
    this.pendingHeld = held;
    this.heldTotal++;
    const free = new Date(this.rate.nextFreeAt(t)).toISOString();
    this.deps.log.warn(`${this.label}: rate limit of ${limit} per hour reached: held back ${what(n)} (${held.count} held back since ${held.since}; sending resumes at ${free})`);
    return false;
  }

  private enqueue(n: Notification): void {
    this.queue.push(n);
    if (this.queue.length > this.deps.queueLimit) {
      const dropped = this.queue.shift()!;
      this.deps.log.warn(`${this.label}: queue full (${this.deps.queueLimit} waiting), dropped the oldest: ${what(dropped)}`);
    }
    this.drain();
  }

  private async send(event: Notification): Promise<void> {
    const { log } = this.deps;
    const req = buildRequest(this.config, event, this.deps.userAgent);
    const r = await deliver(req, this.config.timeout_seconds * 1000, this.deps.delivery, this.deps.signal);
    if (r.ok) {
      log.info(`${this.label}: sent ${what(event)}${r.attempts > 1 ? ` after ${r.attempts} attempts` : ''}`);
    } else if (r.cancelled) {
      log.warn(`${this.label}: ${what(event)} not sent: shutting down`);
    } else {
      log.error(`${this.label}: gave up on ${what(event)} after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}: ${r.error}`);
    }
  }

  private drain(): void {
    if (this.running !== undefined) return;
    this.running = (async () => {
      for (let event = this.queue.shift(); event !== undefined; event = this.queue.shift()) {
        try {
          await this.send(event);
        } catch (e) {
          this.deps.log.error(`${this.label}: ${what(event)} failed unexpectedly: ${String(e)}`);
        }
      }
    })().finally(() => {
      this.running = undefined;
      // An event queued while the loop was finishing.
      if (this.queue.length > 0 && !this.deps.signal.aborted) this.drain();
    });
  }
}

/**
 * What every poller of the dashboard does alike, as a Lit reactive
 * controller: one request at a time, the next poll scheduled only after the
 * previous one finished, the last good data kept through failures (with
 * since when and how many), polls skipped while the tab is hidden and caught
 * up when it shows again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { fetchClusterIfChanged, type FetchFailure } from './api.js';
import { workerClusterFetch, type ClusterFetch } from './cluster-fetch.js';
import type { RangeName } from './types.js';

/** Why a refresh started; reported in `jm-refresh` events. */
export type RefreshReason = 'initial' | 'poll' | 'manual' | 'range' | 'visible' | 'key' | 'config' | 'expand';

export interface LoopOptions {
  baseUrl: () => string;
  range: () => RangeName;
  apiKey: () => string | null;
  fetchImpl?: typeof fetch;
  /** Read /api/cluster in a worker when the page allows it (default: when no `fetchImpl` is given). */
  useWorker?: () => boolean;
  /** Time between the end of one poll and the start of the next (read each time); default 30 s. */
  intervalMs?: () => number;
  now?: () => number;
  onStart?: (reason: RefreshReason, range: RangeName) => void;
  onFailure?: (failure: FetchFailure) => void;
}

/** The outcome of one poll: new data or not, or why none came. */
export type PollOutcome = { ok: true } | { ok: false; failure: FetchFailure };

export abstract class PollLoop<O extends LoopOptions = LoopOptions> implements ReactiveController {
  /** A request is in flight. */
  loading = false;
  /** The last request's failure; null after a success. */
  failure: FetchFailure | null = null;
  /** When the current run of failures began (ms); null while healthy. */
  failingSince: number | null = null;
  /** When data last arrived (ms, by the injected clock). */
  lastSuccessAt: number | null = null;
  /** Failed attempts since the last success. */
  failures = 0;

  protected readonly host: ReactiveControllerHost;
  protected readonly opts: O;
  protected connected = false;
  protected inflight: { controller: AbortController; key: string } | null = null;
  /** /api/cluster downloaded and parsed off the main thread, where the page allows it (not with an injected fetch). */
  private worker: ReturnType<typeof workerClusterFetch> = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private missedWhileHidden = false;

  constructor(host: ReactiveControllerHost, opts: O) {
    this.host = host;
    this.opts = opts;
    host.addController(this);
  }

  /** Fetch now (see the subclasses for what a request for other parameters does). */
  abstract refresh(reason: RefreshReason): void;

  protected now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private readonly onVisibility = (): void => {
    if (!document.hidden && this.missedWhileHidden) {
      this.missedWhileHidden = false;
      this.refresh('visible');
    }
  };

  hostConnected(): void {
    this.connected = true;
    document.addEventListener('visibilitychange', this.onVisibility);
    this.refresh('initial');
  }

  hostDisconnected(): void {
    this.connected = false;
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.clearTimer();
    this.inflight?.controller.abort();
    this.inflight = null;
    this.loading = false;
    this.worker?.close();
    this.worker = null;
  }

  /** The request parameters now, and the key naming them (a request for another key cancels this one). */
  protected params(): { baseUrl: string; range: RangeName; apiKey: string | null; key: string } {
    const [baseUrl, range, apiKey] = [this.opts.baseUrl(), this.opts.range(), this.opts.apiKey()];
    return { baseUrl, range, apiKey, key: JSON.stringify([baseUrl, range, apiKey]) };
  }

  /** How to fetch /api/cluster: in the worker when the options allow it, else on the page. */
  protected clusterFetch(): ClusterFetch {
    if (this.opts.useWorker?.() ?? !this.opts.fetchImpl) this.worker ??= workerClusterFetch();
    else {
      this.worker?.close();
      this.worker = null;
    }
    return this.worker?.fetch ?? fetchClusterIfChanged;
  }

  /**
   * Starts a request for `key`: null when one for the same key is already
   * running (no overlapping requests); one for another key is cancelled, so
   * a stale answer can never overwrite a newer choice.
   */
  protected begin(key: string, reason: RefreshReason, range: RangeName): AbortController | null {
    if (!this.connected || this.inflight?.key === key) return null;
    this.inflight?.controller.abort();
    this.clearTimer();
    const controller = new AbortController();
    this.inflight = { controller, key };
    this.loading = true;
    this.opts.onStart?.(reason, range);
    this.host.requestUpdate();
    return controller;
  }

  /** Ends the request of `controller` (false when it was superseded) and schedules the next. */
  protected finish(controller: AbortController, outcome: PollOutcome): boolean {
    if (this.inflight?.controller !== controller) return false;
    this.inflight = null;
    this.loading = false;
    if (outcome.ok) {
      this.failure = null;
      this.failingSince = null;
      this.failures = 0;
      this.lastSuccessAt = this.now();
    } else if (outcome.failure.kind !== 'aborted') {
      this.failure = outcome.failure;
      this.failingSince ??= this.now();
      this.failures += 1;
      this.opts.onFailure?.(outcome.failure);
    }
    this.schedule();
    this.host.requestUpdate();
    return true;
  }

  private schedule(): void {
    this.clearTimer();
    if (!this.connected) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (document.hidden) this.missedWhileHidden = true;
      else this.refresh('poll');
    }, this.opts.intervalMs?.() ?? 30_000);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

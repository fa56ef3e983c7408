/**
 * A Lit reactive controller that keeps a host supplied with the cluster
 * snapshot: one request at a time, the next poll scheduled only after the
 * previous one finished, the last good data kept through failures, polls
 * skipped while the tab is hidden and caught up when it shows again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { fetchClusterIfChanged, type FetchFailure } from './api.js';
import { workerClusterFetch } from './cluster-fetch.js';
import { isRangeName, type ClusterResponse, type RangeName } from './types.js';

/** Why a refresh started; reported in `jm-refresh` events. */
export type RefreshReason = 'initial' | 'poll' | 'manual' | 'range' | 'visible' | 'key' | 'config';

export interface PollerOptions {
  baseUrl: () => string;
  range: () => RangeName;
  apiKey: () => string | null;
  /** Time between the end of one poll and the start of the next (read each time); default 30 s. */
  intervalMs?: () => number;
  now?: () => number;
  fetchImpl?: typeof fetch;
  /** Fetch and parse in a worker when the page allows it (default: when no `fetchImpl` is given). */
  useWorker?: () => boolean;
  onStart?: (reason: RefreshReason, range: RangeName) => void;
  onData?: (data: ClusterResponse) => void;
  onFailure?: (failure: FetchFailure) => void;
}

export class ClusterPoller implements ReactiveController {
  /** The last snapshot received (possibly of the previous range while a new one loads). */
  data: ClusterResponse | null = null;
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

  private readonly host: ReactiveControllerHost;
  private readonly opts: PollerOptions;
  private inflight: { controller: AbortController; key: string } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private connected = false;
  private missedWhileHidden = false;
  /** Download and parsing off the main thread, where the page allows it (not with an injected fetch). */
  private worker: ReturnType<typeof workerClusterFetch> = null;
  /** ETag of `data`, and the request parameters it answers (a new node, range or key starts over). */
  private etag: { key: string; value: string } | null = null;

  constructor(host: ReactiveControllerHost, opts: PollerOptions) {
    this.host = host;
    this.opts = opts;
    host.addController(this);
  }

  private now(): number {
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

  /**
   * Fetch now. A request already running for the same node, range and key
   * is left to finish (no overlapping requests); one for other parameters
   * is cancelled, so a stale answer can never overwrite a newer choice.
   */
  refresh(reason: RefreshReason): void {
    if (!this.connected) return;
    const baseUrl = this.opts.baseUrl();
    const range = this.opts.range();
    const apiKey = this.opts.apiKey();
    const key = JSON.stringify([baseUrl, range, apiKey]);
    if (this.inflight?.key === key) return;
    this.inflight?.controller.abort();
    this.clearTimer();
    const controller = new AbortController();
    this.inflight = { controller, key };
    this.loading = true;
    this.opts.onStart?.(reason, range);
    this.host.requestUpdate();
    const request = {
      baseUrl,
      range,
      apiKey,
      etag: this.etag?.key === key && this.data?.range === range ? this.etag.value : null,
      signal: controller.signal,
      ...(this.opts.fetchImpl ? { fetchImpl: this.opts.fetchImpl } : {}),
    };
    if (this.opts.useWorker?.() ?? !this.opts.fetchImpl) this.worker ??= workerClusterFetch();
    else {
      this.worker?.close();
      this.worker = null;
    }
    void (this.worker?.fetch ?? fetchClusterIfChanged)(request).then((result) => {
      if (this.inflight?.controller !== controller) return;
      this.inflight = null;
      this.loading = false;
      if (result.ok) {
        const fresh = result.value.data;
        this.etag = result.value.etag ? { key, value: result.value.etag } : null;
        this.failure = null;
        this.failingSince = null;
        this.failures = 0;
        this.lastSuccessAt = this.now();
        if (fresh) {
          // A User Timing mark, so a profile or benchmark can tell the network from the rendering.
          performance.mark('jm-cluster-received');
          this.data = fresh;
          this.opts.onData?.(fresh);
        }
      } else if (result.failure.kind !== 'aborted') {
        this.failure = result.failure;
        this.failingSince ??= this.now();
        this.failures += 1;
        this.opts.onFailure?.(result.failure);
      }
      this.schedule();
      this.host.requestUpdate();
    });
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

/** What an embeddable element says about where to fetch from (its attributes). */
export interface AttributeSource {
  baseUrl?: string | undefined;
  nodeId?: string | undefined;
  range?: string | undefined;
  apiKey?: string | undefined;
}

/**
 * The poller of an element used on its own ("attribute mode": `base-url` and
 * `node-id` set), or null when the element is given its data as properties.
 */
export function attributePoller(host: ReactiveControllerHost & AttributeSource): ClusterPoller | null {
  if (host.baseUrl === undefined || !host.nodeId) return null;
  return new ClusterPoller(host, {
    baseUrl: () => host.baseUrl ?? '',
    range: () => (isRangeName(host.range) ? host.range : '24h'),
    apiKey: () => host.apiKey ?? null,
  });
}

/**
 * A poller of `/api/cluster` (the original's shape), for an element used
 * on its own (attribute mode): see PollLoop for the loop. The dashboard
 * reads the compact feed instead (feed-poller.ts).
 */
import type { ReactiveControllerHost } from 'lit';
import { fetchClusterIfChanged } from './api.js';
import { workerClusterFetch } from './cluster-fetch.js';
import { PollLoop, type LoopOptions, type RefreshReason } from './poll-loop.js';
import { isRangeName, type ClusterResponse, type RangeName } from './types.js';

export type { RefreshReason };

export interface PollerOptions extends LoopOptions {
  baseUrl: () => string;
  range: () => RangeName;
  apiKey: () => string | null;
  fetchImpl?: typeof fetch;
  /** Fetch and parse in a worker when the page allows it (default: when no `fetchImpl` is given). */
  useWorker?: () => boolean;
  onStart?: (reason: RefreshReason, range: RangeName) => void;
  onData?: (data: ClusterResponse) => void;
}

export class ClusterPoller extends PollLoop {
  /** The last snapshot received (possibly of the previous range while a new one loads). */
  data: ClusterResponse | null = null;

  private readonly opts: PollerOptions;
  /** Download and parsing off the main thread, where the page allows it (not with an injected fetch). */
  private worker: ReturnType<typeof workerClusterFetch> = null;
  /** ETag of `data`, and the request parameters it answers (a new node, range or key starts over). */
  private etag: { key: string; value: string } | null = null;

  constructor(host: ReactiveControllerHost, opts: PollerOptions) {
    super(host, opts);
    this.opts = opts;
  }

  override hostDisconnected(): void {
    super.hostDisconnected();
    this.worker?.close();
    this.worker = null;
  }

  /** Fetch now; a request already running for the same node, range and key is left to finish. */
  refresh(reason: RefreshReason): void {
    const baseUrl = this.opts.baseUrl();
    const range = this.opts.range();
    const apiKey = this.opts.apiKey();
    const key = JSON.stringify([baseUrl, range, apiKey]);
    const controller = this.begin(key);
    if (!controller) return;
    this.opts.onStart?.(reason, range);
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
      if (result.ok) {
        this.etag = result.value.etag ? { key, value: result.value.etag } : null;
        const fresh = result.value.data;
        if (fresh) {
          // A User Timing mark, so a profile or benchmark can tell the network from the rendering.
          performance.mark('jm-cluster-received');
          this.data = fresh;
          this.opts.onData?.(fresh);
        }
      }
      this.finish(controller, result);
    });
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

/**
 * A poller of `/api/cluster` (the original's shape), for an element used
 * on its own (attribute mode): see PollLoop for the loop. The dashboard
 * reads the compact feed instead (feed-poller.ts).
 */
import type { ReactiveControllerHost } from 'lit';
import { PollLoop, type LoopOptions, type RefreshReason } from './poll-loop.js';
import { isRangeName, type ClusterResponse } from './types.js';

export type { RefreshReason };

export interface PollerOptions extends LoopOptions {
  onData?: (data: ClusterResponse) => void;
}

export class ClusterPoller extends PollLoop<PollerOptions> {
  /** The last snapshot received (possibly of the previous range while a new one loads). */
  data: ClusterResponse | null = null;

  /** ETag of `data`, and the request parameters it answers (a new node, range or key starts over). */
  private etag: { key: string; value: string } | null = null;

  /** Fetch now; a request already running for the same node, range and key is left to finish. */
  refresh(reason: RefreshReason): void {
    const { baseUrl, range, apiKey, key } = this.params();
    const controller = this.begin(key, reason, range);
    if (!controller) return;
    const request = {
      baseUrl,
      range,
      apiKey,
      etag: this.etag?.key === key && this.data?.range === range ? this.etag.value : null,
      signal: controller.signal,
      ...(this.opts.fetchImpl ? { fetchImpl: this.opts.fetchImpl } : {}),
    };
    void this.clusterFetch()(request).then((result) => {
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

/**
 * The page side of the fetch worker (cluster-worker.ts): `/api/cluster` is
 * downloaded and parsed in a worker and arrives one node per message, so a
 * background poll of a large cluster never holds the main thread for one
 * long task. Where a worker cannot run (the bundle was loaded from another
 * origin, no Worker, the script blocked or missing) the request is made on
 * the page as before.
 */
import { clusterUrl, fetchClusterIfChanged, type ClusterAnswer, type ClusterRequest, type FetchResult } from './api.js';
import type { ClusterResponse, PeerSnapshot } from './types.js';

export type WorkerRequest =
  | { type: 'fetch'; id: number; request: Omit<ClusterRequest, 'signal' | 'fetchImpl'> }
  | { type: 'abort'; id: number };

export type WorkerReply =
  | { type: 'head'; id: number; etag: string | null; meta: Omit<ClusterResponse, 'nodes'>; count: number }
  /** A node without its per-unit lists (JSON of a PeerSnapshot), and how many parts bring them. */
  | { type: 'node'; id: number; json: string; parts: number }
  /** JSON of a NodePart: the next slice of the last node's lists. */
  | { type: 'part'; id: number; json: string }
  | { type: 'result'; id: number; result: FetchResult<ClusterAnswer> };

/** A slice of one node's per-unit lists. */
export interface NodePart {
  services: PeerSnapshot['services'];
  service_timelines: NonNullable<PeerSnapshot['service_timelines']>;
  targets: NonNullable<PeerSnapshot['targets']>;
  checks: NonNullable<PeerSnapshot['status']>['checks'];
}

/** Fetches a cluster answer (the signature of `fetchClusterIfChanged`). */
export type ClusterFetch = (req: ClusterRequest) => Promise<FetchResult<ClusterAnswer>>;

interface Pending {
  req: ClusterRequest;
  resolve: (r: FetchResult<ClusterAnswer>) => void;
  head: Extract<WorkerReply, { type: 'head' }> | null;
  nodes: PeerSnapshot[];
  /** Parts still to come for the last node. */
  partsLeft: number;
}

/** Appends a slice to the node's lists (each message is parsed in its own task). */
function addPart(node: PeerSnapshot, part: NodePart): void {
  node.services.push(...part.services);
  node.service_timelines?.push(...part.service_timelines);
  node.targets?.push(...part.targets);
  node.status?.checks.push(...part.checks);
}

/** The worker script beside the bundle, when this page may run it (same origin). */
function workerUrl(): URL | null {
  if (typeof Worker === 'undefined' || typeof location === 'undefined') return null;
  try {
    const url = new URL('./cluster-worker.js', import.meta.url);
    return url.origin === location.origin ? url : null;
  } catch {
    return null;
  }
}

/**
 * A fetch that runs in a worker, or null where none can. `close()` ends
 * the worker (pending requests finish on the page).
 */
export function workerClusterFetch(): { fetch: ClusterFetch; close(): void } | null {
  const url = workerUrl();
  if (!url) return null;
  let worker: Worker | null = null;
  let broken = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  /** The worker failed (blocked, missing, crashed): what it held is asked again on the page. */
  const fallBack = (): void => {
    broken = true;
    worker?.terminate();
    worker = null;
    for (const p of pending.values()) void fetchClusterIfChanged(p.req).then(p.resolve);
    pending.clear();
  };

  const onMessage = (e: MessageEvent<WorkerReply>): void => {
    const msg = e.data;
    const p = pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'result') {
      pending.delete(msg.id);
      p.resolve(msg.result);
      return;
    }
    if (msg.type === 'head') p.head = msg;
    else if (msg.type === 'node') {
      p.nodes.push(JSON.parse(msg.json) as PeerSnapshot);
      p.partsLeft = msg.parts;
    } else {
      const last = p.nodes[p.nodes.length - 1];
      if (last) addPart(last, JSON.parse(msg.json) as NodePart);
      p.partsLeft -= 1;
    }
    if (p.head && p.nodes.length === p.head.count && p.partsLeft === 0) {
      pending.delete(msg.id);
      p.resolve({ ok: true, value: { data: { ...p.head.meta, nodes: p.nodes }, etag: p.head.etag } });
    }
  };

  const start = (): Worker | null => {
    if (worker || broken) return worker;
    try {
      worker = new Worker(url, { type: 'module', name: 'jobmonitor-cluster' });
    } catch {
      broken = true;
      return null;
    }
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', fallBack);
    worker.addEventListener('messageerror', fallBack);
    return worker;
  };

  const fetchInWorker: ClusterFetch = (req) => {
    const w = start();
    if (!w) return fetchClusterIfChanged(req);
    const id = nextId++;
    const signal = req.signal;
    const request: WorkerRequest & { type: 'fetch' } = {
      type: 'fetch',
      id,
      request: {
        baseUrl: req.baseUrl,
        range: req.range,
        apiKey: req.apiKey,
        etag: req.etag ?? null,
        url: new URL(req.url ?? clusterUrl(req.baseUrl, req.range), document.baseURI).href,
        ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
      },
    };
    if (signal.aborted) return Promise.resolve({ ok: false, failure: { kind: 'aborted', status: null, message: 'Cancelled.' } });
    return new Promise((resolve) => {
      pending.set(id, { req, resolve, head: null, nodes: [], partsLeft: 0 });
      signal.addEventListener(
        'abort',
        () => {
          if (!pending.delete(id)) return;
          w.postMessage({ type: 'abort', id } satisfies WorkerRequest);
          resolve({ ok: false, failure: { kind: 'aborted', status: null, message: 'Cancelled.' } });
        },
        { once: true },
      );
      w.postMessage(request);
    });
  };

  return {
    fetch: fetchInWorker,
    close() {
      worker?.terminate();
      worker = null;
      for (const p of pending.values()) p.resolve({ ok: false, failure: { kind: 'aborted', status: null, message: 'Cancelled.' } });
      pending.clear();
    },
  };
}

/**
 * The dashboard's fetch worker (bundled apart as `dist/cluster-worker.js`):
 * downloads and parses `/api/cluster` off the page's main thread, then sends
 * the answer back in small JSON texts — per node its head, then its units in
 * slices of `SLICE` units — so the page takes it in as many short tasks instead of
 * one long one (a structured clone of a 500-unit node alone costs the page
 * 100-200 ms; parsing a slice of 50 units a few ms).
 *
 * Protocol (see cluster-fetch.ts, the page side):
 *   page -> worker  { type: 'fetch', id, request }  |  { type: 'abort', id }
 *   worker -> page  { type: 'head', id, etag, meta, count }, then per node
 *                   { type: 'node', id, json, parts } and `parts` x { type: 'part', id, json };
 *                   or one { type: 'result', id, result } for everything that
 *                   is not new data (304, failures).
 */
import { fetchClusterIfChanged, type ClusterRequest } from './api.js';
import type { NodePart, WorkerReply, WorkerRequest } from './cluster-fetch.js';
import type { PeerSnapshot } from './types.js';

/** Units per message. */
const SLICE = 50;

const scope = self as unknown as {
  postMessage(message: WorkerReply): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<WorkerRequest>) => void): void;
};
const running = new Map<number, AbortController>();

async function serve(id: number, request: Omit<ClusterRequest, 'signal' | 'fetchImpl'>): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  try {
    const result = await fetchClusterIfChanged({ ...request, signal: controller.signal });
    if (!result.ok || result.value.data === null) {
      scope.postMessage({ type: 'result', id, result });
      return;
    }
    const { nodes, ...meta } = result.value.data;
    scope.postMessage({ type: 'head', id, etag: result.value.etag, meta, count: nodes.length });
    for (const node of nodes) postNode(id, node);
  } finally {
    running.delete(id);
  }
}

/** One node: its head without the per-unit lists, then those lists in slices. */
function postNode(id: number, node: PeerSnapshot): void {
  const { services, service_timelines: timelines, targets, status, ...rest } = node;
  const checks = status?.checks ?? [];
  const longest = Math.max(services.length, timelines?.length ?? 0, targets?.length ?? 0, checks.length);
  const parts = Math.ceil(longest / SLICE);
  const head = { ...rest, services: [], ...(timelines ? { service_timelines: [] } : {}), ...(targets ? { targets: [] } : {}), ...(status ? { status: { ...status, checks: [] } } : {}) };
  scope.postMessage({ type: 'node', id, json: JSON.stringify(head), parts });
  for (let i = 0; i < parts; i++) {
    const part: NodePart = {
      services: services.slice(i * SLICE, (i + 1) * SLICE),
      service_timelines: timelines?.slice(i * SLICE, (i + 1) * SLICE) ?? [],
      targets: targets?.slice(i * SLICE, (i + 1) * SLICE) ?? [],
      checks: checks.slice(i * SLICE, (i + 1) * SLICE),
    };
    scope.postMessage({ type: 'part', id, json: JSON.stringify(part) });
  }
}

scope.addEventListener('message', (e) => {
  const msg = e.data;
  if (msg.type === 'abort') running.get(msg.id)?.abort();
  else void serve(msg.id, msg.request);
});

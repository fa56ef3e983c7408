import type { Gauge, Registry } from 'prom-client';
import { prom } from '../metrics/prom.js';
import type { AnswerCache } from './answer-cache.js';

/** The answer cache's size in the daemon's /metrics (read at each scrape). */
export function registerAnswerCacheMetrics(registry: Registry, cache: AnswerCache, node: string): void {
  new prom.Gauge({
    name: 'jobmonitor_http_answer_cache_bytes',
    help: 'Bytes held by API answers kept for reuse (bodies and their gzip forms; parts shared by /api/cluster counted with each answer).',
    labelNames: ['node'],
    registers: [registry],
    collect(this: Gauge) {
      this.set({ node }, cache.bytes());
    },
  });
  new prom.Gauge({
    name: 'jobmonitor_http_answer_cache_entries',
    help: 'API answers kept for reuse.',
    labelNames: ['node'],
    registers: [registry],
    collect(this: Gauge) {
      this.set({ node }, cache.size);
    },
  });
}

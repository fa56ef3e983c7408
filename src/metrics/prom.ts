/**
 * prom-client, loaded with require() (src/cjs.ts). Only the metrics modules
 * use it, and the daemon loads those at the first scrape (src/lazy-parts.ts).
 */
import { requireCjs } from '../cjs.js';

export const prom = requireCjs('prom-client') as typeof import('prom-client');

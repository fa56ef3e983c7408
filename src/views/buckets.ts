import type { TimelineClass } from '../types.js';

/** Labels the original shows for each class. */
export const LABEL: Readonly<Record<TimelineClass, string>> = {
  'state-success': 'Operational',
  'state-error': 'Unavailable',
  'state-warning': 'Transitioning',
  'state-missing': 'No data',
};

/** Most details listed per bucket, as the original. */
export const MAX_DETAILS = 4;

/**
 * Bucket boundaries as the original computes them: `points` equal buckets of
 * floor((end - start) / points) ms from `start`, the last one ending at `end`;
 * an empty or inverted window becomes one minute long.
 * Returns points + 1 boundaries.
 */
export function bucketBounds(start: number, end: number, points: number): Float64Array {
  const tlEnd = end > start ? end : start + 60_000;
  let width = Math.floor((tlEnd - start) / points);
  if (width <= 0) width = 60_000;
  const bounds = new Float64Array(points + 1);
  for (let b = 0; b < points; b++) bounds[b] = start + b * width;
  bounds[points] = tlEnd;
  return bounds;
}

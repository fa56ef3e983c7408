/**
 * Load-time checks of what a peer's directory holds, with the limits a live
 * answer gets: a peer.json past them (a 60,000-target copy kept before the
 * limits existed, a file edited by hand, a link) is moved aside as
 * `peer.json.rejected` and reported, never served; a history that ends in the
 * future is reported to the poller, which drops it.
 */
import { lstat, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { PeerDecoder } from './decode-pool.js';
import type { PeerLimits } from './limits.js';
import type { PullCursor } from './sync.js';

/** A peer.json larger than this is not read: a good one (5,000 targets) is far smaller. */
export const MAX_META_FILE_BYTES = 16 * 1024 * 1024;
export const META_FILE = 'peer.json';
export const REJECTED_SUFFIX = '.rejected';

export interface CheckMetaOptions {
  /** `<data_directory>/peers/<peer-id>`. */
  dir: string;
  decoder: PeerDecoder;
  limits: PeerLimits;
  nowMs: number;
  onNote: (message: string) => void;
}

/** Validates `<dir>/peer.json`; a bad one is renamed aside. Resolves true when the file is fine or absent. */
export async function checkMetaFile(opts: CheckMetaOptions): Promise<boolean> {
  const path = join(opts.dir, META_FILE);
  const problem = await metaProblem(path, opts);
  if (problem === undefined) return true;
  try {
    await rename(path, path + REJECTED_SUFFIX);
    opts.onNote(`${path} ${problem}; moved aside to ${META_FILE}${REJECTED_SUFFIX}, the next refresh writes a new one`);
  } catch (e) {
    opts.onNote(`${path} ${problem}; could not move it aside (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return false;
}

async function metaProblem(path: string, opts: CheckMetaOptions): Promise<string | undefined> {
  let size: number;
  try {
    const st = await lstat(path);
    if (!st.isFile()) return 'is not a regular file';
    size = st.size;
  } catch {
    return undefined; // absent (or unreadable: the store reports that)
  }
  if (size > MAX_META_FILE_BYTES) return `is larger than ${MAX_META_FILE_BYTES} bytes`;
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    return undefined;
  }
  const r = await opts.decoder.decode({ kind: 'meta', body, limits: opts.limits, nowMs: opts.nowMs });
  return r.ok ? undefined : `is not a valid peer file (${r.error})`;
}

/** The newest time of a held history when it is ahead of `nowMs` by more than the skew tolerated; undefined otherwise. */
export function futureCursor(cursor: PullCursor, limits: PeerLimits, nowMs: number): number | undefined {
  const newest = Math.max(cursor.lastStatusMs ?? -Infinity, cursor.lastConnectivityMs ?? -Infinity);
  return newest > nowMs + limits.clockSkewMs ? newest : undefined;
}

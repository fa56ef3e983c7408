/**
 * A full garbage collection soon after the daemon let go of a lot of memory.
 *
 * Why: buffers that lived a while (kept API answers, for one) sit in V8's old
 * generation, and their bytes go back to the system only when a full
 * collection finds them dead. V8 runs one when its heap grows, or when the
 * process has just gone idle (its memory reducer, a few seconds after a busy
 * spell). Answers dropped later, after 40 s unasked, are freed by neither: in
 * a quiet daemon nothing grows the heap, so they stayed resident for minutes
 * (measured: ~18 MB a minute after a 50-connection load, docs/memory.md).
 *
 * The collection is V8's `gc()`, present when node runs with `--expose-gc`
 * (as `npm start`, the shebang and the service unit start it); without the
 * flag this does nothing.
 */

export interface MemoryReleaseOptions {
  /** The full collection to run. Default: `globalThis.gc` (node --expose-gc), else none. */
  gc?: (() => void) | undefined;
  /** Bytes freed (in total since the last collection) that are worth one. Default 1 MiB. */
  minBytes?: number;
  /** Delay after the first report, so the frees of one pass are collected together. Default 1000 ms. */
  delayMs?: number;
}

export interface MemoryRelease {
  /** Reports `bytes` no longer referenced; a collection follows within delayMs once minBytes have come together. */
  freed(bytes: number): void;
  /** Collections run so far. */
  collections(): number;
  /** Cancels a pending collection. */
  close(): void;
}

/** Creates the releaser; with no `gc` available (node without --expose-gc), freed() does nothing. */
export function createMemoryRelease(opts: MemoryReleaseOptions = {}): MemoryRelease {
  const gc = 'gc' in opts ? opts.gc : (globalThis as { gc?: () => void }).gc;
  const minBytes = opts.minBytes ?? 1024 * 1024;
  const delayMs = opts.delayMs ?? 1_000;
  let pending = 0;
  let timer: NodeJS.Timeout | undefined;
  let runs = 0;
  const collect = (): void => {
    timer = undefined;
    pending = 0;
    runs++;
    gc?.();
  };
  return {
    freed(bytes) {
      if (gc === undefined || !(bytes > 0)) return;
      pending += bytes;
      if (pending < minBytes || timer !== undefined) return;
      // unref: a pending collection never keeps a stopping process alive.
      timer = setTimeout(collect, delayMs).unref();
    },
    collections: () => runs,
    close() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

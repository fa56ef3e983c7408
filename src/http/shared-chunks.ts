/**
 * One serialisation for the streams of identical requests in flight. A month
 * of history is about 1.7 GB of JSON, too large to keep, so it is streamed
 * and made as the socket takes it; twenty clients asking for it at once (or
 * twenty that never read, whose loopback sockets still take megabytes each)
 * would make it twenty times. Streams of the same key (same route, query and
 * data version: the same bytes) read one source instead: a chunk is made
 * once, by the furthest reader, and kept only while a reader within the
 * window still needs it. A reader that falls further behind than the window
 * goes on alone from a source of its own (made again up to where it was, a
 * few chunks per call), so a reader that never reads neither holds memory
 * nor slows the others.
 */

/** Chunks a reader that fell behind skips per call while its own source catches up with it. */
const SKIP_PER_CALL = 4;

const EMPTY = Buffer.alloc(0);

export interface SharedChunksOptions {
  /** Bytes kept behind the furthest reader of a key. Default 4 MiB. */
  windowBytes?: number;
}

interface Group {
  source: Iterator<string>;
  /** Chunks from index `base` on. */
  chunks: Buffer[];
  bytes: number;
  base: number;
  done: boolean;
  readers: Set<Reader>;
}

interface Reader {
  /** Index of the next chunk this reader takes. */
  pos: number;
  /** Its own source, once it fell behind the window, and the chunks of it still to skip. */
  own?: Iterator<string>;
  skip: number;
}

/**
 * A reader's view: next() gives the next chunk as bytes, undefined at the
 * end, or an empty Buffer when nothing is ready yet (call again on a later
 * turn); close() when the stream ends or fails.
 */
export interface SharedReader {
  next(): Buffer | undefined;
  close(): void;
}

export class SharedChunks {
  readonly windowBytes: number;
  readonly #groups = new Map<string, Group>();

  constructor(opts: SharedChunksOptions = {}) {
    this.windowBytes = opts.windowBytes ?? 4 * 1024 * 1024;
  }

  /** Groups in flight (for tests and /metrics). */
  get size(): number {
    return this.#groups.size;
  }

  /** Reads the chunks of `key` (`make()` must give the same text for the same key), sharing them with the other readers of `key`. */
  open(key: string, make: () => Iterable<string>): SharedReader {
    let g = this.#groups.get(key);
    // A group that has moved on (its first chunk is gone) cannot take a new reader from the start.
    if (g === undefined || g.base > 0) {
      g = { source: make()[Symbol.iterator](), chunks: [], bytes: 0, base: 0, done: false, readers: new Set() };
      this.#groups.set(key, g); // later readers join this one; the older group goes on for its own readers
    }
    const group = g;
    const r: Reader = { pos: 0, skip: 0 };
    group.readers.add(r);
    let closed = false;
    return {
      next: () => (closed ? undefined : this.#next(group, r, make)),
      close: () => {
        if (closed) return;
        closed = true;
        group.readers.delete(r);
        if (group.readers.size === 0 && this.#groups.get(key) === group) this.#groups.delete(key);
        else this.#trim(group);
      },
    };
  }

  #next(g: Group, r: Reader, make: () => Iterable<string>): Buffer | undefined {
    if (r.own === undefined && r.pos < g.base) {
      // Fell behind the window: go on alone, made again up to where it was.
      r.own = make()[Symbol.iterator]();
      r.skip = r.pos;
      g.readers.delete(r);
    }
    if (r.own !== undefined) {
      for (let i = 0; r.skip > 0 && i < SKIP_PER_CALL; i++, r.skip--) if (r.own.next().done === true) return undefined;
      if (r.skip > 0) return EMPTY;
      const v = r.own.next();
      return v.done === true ? undefined : Buffer.from(v.value);
    }
    if (r.pos >= g.base + g.chunks.length) {
      if (g.done) return undefined;
      const v = g.source.next();
      if (v.done === true) {
        g.done = true;
        return undefined;
      }
      const b = Buffer.from(v.value);
      g.chunks.push(b);
      g.bytes += b.length;
    }
    const b = g.chunks[r.pos - g.base]!;
    r.pos++;
    this.#trim(g);
    return b;
  }

  /** Drops chunks every reader has taken, and those beyond the window behind the furthest reader. */
  #trim(g: Group): void {
    let min = Infinity;
    for (const r of g.readers) min = Math.min(min, r.pos);
    while (g.chunks.length > 0 && (g.base < min || g.bytes > this.windowBytes)) {
      g.bytes -= g.chunks.shift()!.length;
      g.base++;
    }
  }
}

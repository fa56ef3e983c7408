/**
 * One serialisation for the streams of identical requests in flight. A month
 * of history is about 1.7 GB of JSON, too large to keep, so it is streamed
 * and made as the socket takes it; twenty clients asking for it at once (or
 * twenty that never read, whose loopback sockets still take megabytes each)
 * would make it twenty times. Streams of the same key (same route, query and
 * data version: the same bytes) read one source instead: a chunk is made
 * once, by the furthest reader, and kept within a window behind it (so a
 * request that comes a few turns later still joins from the start). Chunks
 * are dropped beyond the window, and from the oldest groups when all groups
 * together hold more than their bound. A reader whose next chunk was dropped
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
  /** Bytes kept by all keys together. Default 16 MiB. */
  maxBytes?: number;
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
  readonly maxBytes: number;
  /** The group new readers of a key join. */
  readonly #groups = new Map<string, Group>();
  /** Every group with readers, oldest first (a replaced group goes on for its own readers). */
  readonly #live = new Set<Group>();
  #bytes = 0;

  constructor(opts: SharedChunksOptions = {}) {
    this.windowBytes = opts.windowBytes ?? 4 * 1024 * 1024;
    this.maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  }

  /** Groups with readers. */
  get size(): number {
    return this.#live.size;
  }

  /** Bytes of chunks kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Reads the chunks of `key` (`make()` must give the same text for the same key), sharing them with the other readers of `key`. */
  open(key: string, make: () => Iterable<string>): SharedReader {
    let g = this.#groups.get(key);
    // A group that has moved on (its first chunk is gone) cannot take a new reader from the start.
    if (g === undefined || g.base > 0) {
      g = { source: make()[Symbol.iterator](), chunks: [], bytes: 0, base: 0, done: false, readers: new Set() };
      this.#groups.set(key, g); // later readers join this one; the older group goes on for its own readers
    }
    this.#live.add(g);
    const group = g;
    const r: Reader = { pos: 0, skip: 0 };
    group.readers.add(r);
    let closed = false;
    return {
      next: () => (closed ? undefined : this.#next(group, r, make)),
      close: () => {
        if (closed) return;
        closed = true;
        this.#leave(group, r);
        if (group.readers.size === 0 && this.#groups.get(key) === group) this.#groups.delete(key);
      },
    };
  }

  #next(g: Group, r: Reader, make: () => Iterable<string>): Buffer | undefined {
    if (r.own === undefined && r.pos < g.base) {
      // Fell behind the window: go on alone, made again up to where it was.
      r.own = make()[Symbol.iterator]();
      r.skip = r.pos;
      this.#leave(g, r);
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
      this.#bytes += b.length;
      this.#drop(g, this.windowBytes);
      // Over the bound for all keys: the oldest groups lose their kept chunks first (their laggards go on alone).
      for (const old of this.#live) {
        if (this.#bytes <= this.maxBytes) break;
        this.#drop(old, 0);
      }
      r.pos++;
      return b;
    }
    const b = g.chunks[r.pos - g.base]!;
    r.pos++;
    return b;
  }

  /** Drops a group's oldest chunks until it holds at most `keep` bytes. */
  #drop(g: Group, keep: number): void {
    while (g.chunks.length > 0 && g.bytes > keep) {
      const b = g.chunks.shift()!;
      g.bytes -= b.length;
      this.#bytes -= b.length;
      g.base++;
    }
  }

  #leave(g: Group, r: Reader): void {
    g.readers.delete(r);
    if (g.readers.size > 0) return;
    this.#drop(g, 0);
    this.#live.delete(g);
  }
}

/**
 * Answers kept as bytes per key (route and query) and data version: built once
 * when the data changed, then served as they are. Bounded by total bytes and
 * entry count; the least recently asked answers go first.
 */
import { createAnswer, type Answer, type Bytes } from './answer.js';

export interface AnswerCacheOptions {
  /** Bytes held by all answers (bodies and their gzip forms). Default 64 MiB. */
  maxBytes?: number;
  /** Answers held. Default 512. */
  maxEntries?: number;
  /** A larger answer is served but not kept. Default a quarter of maxBytes. */
  maxAnswerBytes?: number;
  /**
   * An answer of more than `largeBytes` not asked for this long is dropped, so
   * memory comes back after a burst of large queries instead of staying until
   * the bounds push them out. Longer than a dashboard's or poller's interval
   * (30 s), so a regular poll keeps its answer and its ETag. Default 40 s.
   */
  idleMs?: number;
  /** See idleMs. Default 1 MiB. */
  largeBytes?: number;
  /** The clock for idleMs, in ms. Default performance.now. */
  now?: () => number;
  /**
   * Told the bytes of the answers dropped for being idle, so their memory can
   * be given back now (see src/memory-release.ts) rather than at V8's next
   * full collection, which a quiet daemon may not run for minutes.
   */
  onIdleDrop?: (bytes: number) => void;
}

/** What an answer is built from: its serialised body and Content-Type. */
export interface Built {
  bytes: Bytes;
  type: string;
}

interface Entry {
  version: string;
  answer: Answer;
  /** The clock's time when last asked or kept. */
  asked: number;
}

export class AnswerCache {
  readonly maxBytes: number;
  readonly maxEntries: number;
  readonly maxAnswerBytes: number;
  readonly idleMs: number;
  readonly largeBytes: number;
  readonly #now: () => number;
  readonly #onIdleDrop: ((bytes: number) => void) | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #collecting = new Set<string>();
  /** Where each answer was kept (the entry may be gone since: get() tells). */
  readonly #keptAs = new WeakMap<Answer, { key: string; version: string }>();
  /** The key asked last (already at the end of #entries). */
  #newest: string | undefined;
  readonly #pending = new Map<string, { version: string; answer: Promise<Answer> }>();
  /**
   * Per cache, so a tag from another run (or another cache) never matches one
   * of ours: the time it was made and a random number. Not node:crypto's
   * randomBytes: a tag needs to be unique, not secret, and that call starts
   * OpenSSL's random generator (about 1 MB in a bare node process; with
   * koa-compress loaded on first use, 0.4-0.5 MB less for a daemon at rest).
   */
  readonly #prefix = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 6).toString(36)}`;
  #seq = 0;

  constructor(opts: AnswerCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    this.maxEntries = opts.maxEntries ?? 512;
    this.maxAnswerBytes = opts.maxAnswerBytes ?? Math.floor(this.maxBytes / 4);
    this.idleMs = opts.idleMs ?? 40_000;
    this.largeBytes = opts.largeBytes ?? 1024 * 1024;
    this.#now = opts.now ?? (() => performance.now());
    this.#onIdleDrop = opts.onIdleDrop;
    if (!(this.maxBytes > 0) || !(this.maxEntries > 0) || !(this.maxAnswerBytes >= 0) || !(this.idleMs > 0) || !(this.largeBytes >= 0)) {
      throw new RangeError('AnswerCache: maxBytes, maxEntries and idleMs must be positive, maxAnswerBytes and largeBytes not negative');
    }
    // unref: the sweep never keeps a process alive on its own.
    setInterval(() => this.dropIdle(), Math.min(10_000, this.idleMs / 4)).unref();
  }

  /** A tag no other answer of this cache has had. */
  nextTag(): string {
    this.#seq++;
    return `${this.#prefix}${this.#seq.toString(36)}`;
  }

  /** The answer kept for `key` at `version`, marked as just asked; undefined when none. */
  get(key: string, version: string): Answer | undefined {
    const e = this.#entries.get(key);
    if (e === undefined || e.version !== version) return undefined;
    e.asked = this.#now();
    if (this.#newest !== key) {
      // Re-inserted: Map order is the order of last use.
      this.#entries.delete(key);
      this.#entries.set(key, e);
      this.#newest = key;
    }
    return e.answer;
  }

  /** The kept answer, or a new one from `build()` (kept when small enough). */
  answer(key: string, version: string, build: () => Built): Answer {
    const hit = this.get(key, version);
    if (hit !== undefined) return hit;
    const b = build();
    return this.put(key, version, createAnswer(b.bytes, b.type, this.nextTag()));
  }

  /** As answer(), for a build that is asynchronous; requests that miss together share one build. */
  async answerAsync(key: string, version: string, build: () => Promise<Built>): Promise<Answer> {
    const hit = this.get(key, version);
    if (hit !== undefined) return hit;
    const running = this.#pending.get(key);
    if (running !== undefined && running.version === version) return running.answer;
    const answer = build().then((b) => this.put(key, version, createAnswer(b.bytes, b.type, this.nextTag())));
    const slot = { version, answer };
    this.#pending.set(key, slot);
    try {
      return await answer;
    } finally {
      if (this.#pending.get(key) === slot) this.#pending.delete(key);
    }
  }

  /**
   * Claims the right to keep a streamed answer for `key` (one stream at a
   * time collects bytes for a key, so many readers of one large answer do not
   * each hold a copy); release() when the stream ends or fails.
   */
  claim(key: string): { release(): void } | undefined {
    if (this.#collecting.has(key)) return undefined;
    this.#collecting.add(key);
    return { release: () => this.#collecting.delete(key) };
  }

  /** Keeps `answer` for `key` at `version` (replacing an older one) unless it is too large; returns it. */
  put(key: string, version: string, answer: Answer): Answer {
    this.#entries.delete(key);
    if (answer.length <= this.maxAnswerBytes) {
      this.#entries.set(key, { version, answer, asked: this.#now() });
      this.#keptAs.set(answer, { key, version });
      this.#newest = key;
    } else if (this.#newest === key) this.#newest = undefined;
    this.trim();
    return answer;
  }

  /** Drops the least recently asked answers until the bounds hold (gzip forms grow an entry after it was kept). */
  trim(): void {
    let bytes = this.bytes();
    for (const [key, e] of this.#entries) {
      if (bytes <= this.maxBytes && this.#entries.size <= this.maxEntries) break;
      this.#entries.delete(key);
      bytes -= e.answer.held();
    }
  }

  /** Drops the answers over largeBytes not asked for idleMs (run by a timer). */
  dropIdle(): void {
    const now = this.#now();
    let dropped = 0;
    for (const [key, e] of this.#entries) {
      if (now - e.asked < this.idleMs || e.answer.held() <= this.largeBytes) continue;
      this.#entries.delete(key);
      dropped += e.answer.held();
      if (this.#newest === key) this.#newest = undefined;
    }
    if (dropped > 0) this.#onIdleDrop?.(dropped);
  }

  /** The key and version `answer` was kept under, or undefined when it was never kept. */
  keptAs(answer: Answer): { key: string; version: string } | undefined {
    return this.#keptAs.get(answer);
  }

  /** Answers kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes held by the kept answers. */
  bytes(): number {
    let n = 0;
    for (const e of this.#entries.values()) n += e.answer.held();
    return n;
  }
}

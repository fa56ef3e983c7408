/**
 * /api/cluster from parts kept compressed. Each node's part (per range and
 * that node's version) is rendered and deflated once and kept in the answer
 * cache as deflate bytes only; an answer is the parts in order inside a
 * frame: a gzip client gets them joined into one gzip member (nothing is
 * rendered or compressed again), any other client gets them inflated 64 KiB
 * at a time as its socket takes them, with the Content-Length known.
 */
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import type { LocalNode } from '../node/local.js';
import type { PeerSyncView, RangeName } from '../types.js';
import { createAnswer, GZIP_MIN_BYTES, JSON_TYPE, type Answer, type Bytes } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import { clusterHeadOpen, joinedVersion, peerPartText, syncOf, type NodePart } from './cluster-parts.js';
import { deflatePart, deflatePartSync, gzipMember, inflateStream, rawLengthOf, type DeflatedPart } from './deflated-part.js';
import { wantsGzip } from './encoding.js';
import { etagOf, holdsAnswer } from './send-answer.js';

/** A cluster answer as compressed parts, frame included, with the ETag tag naming it. */
export interface JoinedAnswer {
  readonly tag: string;
  readonly type: string;
  readonly parts: readonly DeflatedPart[];
  readonly rawLength: number;
  /** The gzip member over the parts, made at the first gzip request. */
  gzip(): Bytes;
}

/** A kept part: an entry of the answer cache whose bytes are the deflate bytes (so its budget counts them). */
type PartAnswer = Answer & { readonly deflatedPart: DeflatedPart };

const TAIL = deflatePartSync(']}');

/**
 * Parts made at once when many are missing (after a time bucket rolled over):
 * each is a node's whole snapshot as text (about 5 MiB at 500 units), so
 * making all twenty at once held them all at the same time and raised the
 * heap's high-water mark by hundreds of MiB; two keep libuv's pool busy.
 */
const MAKING_AT_ONCE = 2;

/** A part's version without its time bucket (`…@<bucket>`), and the bucket (NaN without one). */
export function splitBucket(version: string): { data: string; bucket: number } {
  const at = version.lastIndexOf('@');
  const bucket = at > 0 ? Number(version.slice(at + 1)) : NaN;
  return Number.isInteger(bucket) ? { data: version.slice(0, at), bucket } : { data: version, bucket: NaN };
}

/** A part last made for a node and range: what it shows apart from the clock, its bucket, and whether it is the first node's. */
interface MadePart {
  readonly data: string;
  readonly bucket: number;
  readonly first: boolean;
  readonly part: DeflatedPart;
}

/** Runs tasks at most `max` at a time, in the order given. */
function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  const queue: Array<() => void> = [];
  let running = 0;
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const run = () => {
        running++;
        task().then(resolve, reject).finally(() => {
          running--;
          queue.shift()?.();
        });
      };
      if (running < max) run();
      else queue.push(run);
    });
}

/** A node's body, and for a peer the sync view its tail is made from (of the same moment as the body). */
interface MadeNow {
  readonly part: DeflatedPart;
  readonly sync?: PeerSyncView | undefined;
}

/** A node's body, and whether it is the bucket before's (made again meanwhile). */
interface PartFound {
  readonly made: Promise<MadeNow>;
  readonly stale: boolean;
}

/**
 * The kept parts of cluster answers in `cache`: a peer's body per its rows
 * version, any other node's whole snapshot per its version; each made once
 * (MAKING_AT_ONCE at a time), kept unless the cluster's parts would fill more
 * than half the cache, and the last one made per node remembered, to be
 * served while only the clock moved.
 */
function partMaker(cache: AnswerCache) {
  const pending = new Map<string, Promise<MadeNow>>();
  /** The part last made per kept key, kept while a newer one is made. */
  const previous = new Map<string, MadePart>();
  const limited = limiter(MAKING_AT_ONCE);

  const make = (key: string, version: string, n: NodePart, first: boolean, count: number): Promise<MadeNow> => {
    const at = `${key}@${version}`;
    let made = pending.get(at);
    if (made !== undefined) return made;
    made = limited(async (): Promise<MadeNow> => {
      const snapshot = n.snapshot();
      // A comma before every node but the first, so the frame only has to join them.
      const text = `${first ? '' : ','}${n.sync !== undefined ? peerPartText.body(snapshot) : JSON.stringify(snapshot)}`;
      return { part: await deflatePart(text), ...(n.sync !== undefined ? { sync: syncOf(snapshot) } : {}) };
    }).then((m) => {
      const p = m.part;
      if (p.deflated.length * count <= cache.maxBytes / 2) {
        const entry = createAnswer({ parts: [p.deflated], length: p.deflated.length }, 'application/octet-stream', cache.nextTag());
        cache.put(key, version, Object.assign(entry, { deflatedPart: p }));
      }
      const { data, bucket } = splitBucket(version);
      const held = previous.get(key);
      if (held === undefined || !(held.bucket > bucket)) previous.set(key, { data, bucket, first, part: p });
      return m;
    });
    made.finally(() => pending.delete(at)).catch(() => {});
    pending.set(at, made);
    return made;
  };

  /**
   * `n`'s part for `range`: kept; or the bucket before's while only the clock
   * moved (`stale`); or made now. A kept or stale body comes with the sync view
   * as it is now (the body is what the version read now covers); a body made
   * now comes with the sync view of the snapshot it was made from, which may be
   * newer than the version: body and tail always tell of one moment.
   */
  return (range: RangeName, n: NodePart, first: boolean, count: number, now: () => PeerSyncView | undefined): PartFound => {
    const key = `cluster/gz:${range}:${n.key}`;
    const version = n.sync !== undefined ? n.rowsVersion : n.version;
    const kept = cache.get(key, version) as PartAnswer | undefined;
    if (kept !== undefined) return { made: Promise.resolve({ part: kept.deflatedPart, sync: now() }), stale: false };
    const fresh = make(key, version, n, first, count);
    const before = previous.get(key);
    const current = splitBucket(version);
    if (before !== undefined && before.first === first && before.data === current.data && before.bucket === current.bucket - 1) {
      fresh.catch(() => {}); // made in the background; a failure is met by the next request that needs it
      return { made: Promise.resolve({ part: before.part, sync: now() }), stale: true };
    }
    return { made: fresh, stale: false };
  };
}

/** Peers' tails (peerPartText), each made again only when its text moved. */
function tailMaker(): (key: string, sync: PeerSyncView) => DeflatedPart {
  const tails = new Map<string, { text: string; part: DeflatedPart }>();
  return (key, sync) => {
    const text = peerPartText.tail(sync);
    const held = tails.get(key);
    if (held?.text === text) return held.part;
    const part = deflatePartSync(text);
    tails.set(key, { text, part });
    return part;
  };
}

/**
 * Joins cluster answers from compressed node parts kept in `cache`. The last
 * answer per range is remembered with its gzip trailer (so a poll while no
 * node moved costs no lookups), holding at most one answer's parts per range
 * beyond the cache.
 *
 * A peer's part is its body (kept per its rows version) and its tail (what a
 * refresh moves; peerPartText). When the time bucket rolls over (a minute),
 * every node's part is made again: at 20 nodes × 500 units about 1.5 s of
 * work. A node whose data did not move meanwhile is served from its part of
 * the bucket before while its new part is made (two at a time, in the
 * background), so no request waits for the clock: a part is at most one
 * bucket old, as any kept answer may be, and such a mixed answer is never
 * remembered as the answer of its version. A node whose data moved is
 * always waited for.
 */
export function clusterJoiner(cache: AnswerCache, local: LocalNode) {
  const last = new Map<RangeName, { version: string; answer: Promise<JoinedAnswer & { complete: boolean }> }>();
  const partOf = partMaker(cache);
  const tailOf = tailMaker();

  const join = async (range: RangeName, nodes: readonly NodePart[]): Promise<JoinedAnswer & { complete: boolean }> => {
    const head = deflatePartSync(clusterHeadOpen(local, range));
    // Every node's part looked up before any wait, with the versions read for this answer: a
    // refresh that lands while earlier parts are made cannot pair an older body with a newer tail.
    const found = nodes.map((n, i) => partOf(range, n, i === 0, nodes.length, () => n.sync?.()));
    const bodies = await Promise.all(found.map(async (f, i) => {
      const n = nodes[i]!;
      const { part, sync } = await f.made;
      return sync !== undefined ? [part, tailOf(n.key, sync)] : [part];
    }));
    const parts = [head, ...bodies.flat(), TAIL];
    let gz: Bytes | undefined;
    return {
      tag: cache.nextTag(), type: JSON_TYPE, parts, rawLength: rawLengthOf(parts),
      gzip: () => (gz ??= gzipMember(parts)), complete: found.every((f) => !f.stale),
    };
  };

  return {
    /** The answer for `range` over `nodes` (requests that come together share one). */
    answer(range: RangeName, nodes: readonly NodePart[]): Promise<JoinedAnswer> {
      const version = joinedVersion(nodes, (n) => n.version);
      const held = last.get(range);
      if (held?.version === version) return held.answer;
      const answer = join(range, nodes);
      last.set(range, { version, answer });
      // An answer with parts from the bucket before is for this request only: the next one joins again.
      const forget = () => {
        if (last.get(range)?.answer === answer) last.delete(range);
      };
      answer.then((a) => (a.complete ? undefined : forget()), forget);
      return answer;
    },
  };
}

/**
 * The parts' bytes inflated as the socket takes them, 64 KiB at a time: a
 * client without gzip holds a zlib window and a few chunks, not a node's
 * whole JSON (5.5 MiB at 500 units; fifty such clients held 400 MiB).
 */
function inflating(parts: readonly DeflatedPart[]): Readable {
  return Readable.from(inflatedChunks(parts), { objectMode: false, highWaterMark: INFLATE_CHUNK });
}

const INFLATE_CHUNK = 64 * 1024;

async function* inflatedChunks(parts: readonly DeflatedPart[]): AsyncGenerator<Buffer> {
  for (const p of parts) {
    if (p.deflated.length === 0) continue;
    const z = inflateStream(p, INFLATE_CHUNK);
    for await (const chunk of z) yield chunk as Buffer;
  }
}

/**
 * Answers with `answer`: 304 when If-None-Match names it, else its gzip
 * member for a client that takes gzip (and a body large enough), else its
 * bytes inflated as a stream of 64 KiB chunks. HEAD sends the headers only (Koa never reads the stream).
 */
export function sendJoined(ctx: Context, answer: JoinedAnswer): void {
  const gzip = answer.rawLength >= GZIP_MIN_BYTES && wantsGzip(ctx);
  ctx.compress = false; // the bytes are final
  ctx.set('ETag', etagOf(answer.tag, gzip));
  ctx.set('Content-Type', answer.type);
  if (holdsAnswer(ctx.get('If-None-Match'), answer.tag)) {
    ctx.status = 304;
    return;
  }
  if (gzip) {
    const b = answer.gzip();
    ctx.set('Content-Encoding', 'gzip');
    ctx.body = Readable.from(b.parts, { objectMode: false });
    ctx.length = b.length;
    return;
  }
  ctx.body = inflating(answer.parts);
  ctx.length = answer.rawLength;
}

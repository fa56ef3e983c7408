/**
 * The dashboard's poller of the compact feed: the summary of every node
 * first, then the rows of the nodes the page shows open (`wanted`), each
 * asked with If-None-Match and `since` (the tag of the rows held), so a poll
 * where nothing changed costs a few 304s or empty deltas, a node whose rows
 * changed sends only the fields that did, and an unchanged node's rows are
 * never downloaded twice. Rows of a
 * node that is folded again are dropped. A node without the feed (an older
 * version: 404) is read through /api/cluster, made into the same data.
 */
import { fetchJsonIfChanged, type FetchResult } from './api.js';
import { fleetFromCluster, nodeUrl, normalizeRowsAnswer, normalizeSummary, summaryUrl, tagOfEtag, type FeedNodeDetail, type FeedSummary, type FleetData } from './feed.js';
import { PollLoop, type LoopOptions, type PollOutcome, type RefreshReason } from './poll-loop.js';
import type { RangeName } from './types.js';

export interface FeedPollerOptions extends LoopOptions {
  /** The ids of the nodes whose rows the page shows, given the summary. */
  wanted: (summary: FeedSummary) => ReadonlySet<string>;
  onData?: (data: FleetData) => void;
}

/** Node rows asked at once. */
const ROWS_AT_ONCE = 4;

/** What every request of one poll shares. */
interface Req {
  apiKey: string | null;
  signal: AbortSignal;
  fetchImpl?: typeof fetch;
}

interface Held<T> {
  etag: string | null;
  value: T;
}

export class FeedPoller extends PollLoop<FeedPollerOptions> {
  /** What the page shows (possibly of the previous range while a new one loads). */
  data: FleetData | null = null;

  /** The request parameters the held summary and rows answer (a new node, range or key starts over). */
  private heldKey = '';
  private summary: Held<FeedSummary> | null = null;
  private rows = new Map<string, Held<FeedNodeDetail>>();
  /** The base URL found to have no feed: read through /api/cluster. */
  private legacyBase: string | null = null;
  private legacyEtag: string | null = null;
  /** The wanted rows changed during a request: look again when it ends. */
  private recheck = false;
  /**
   * The summary and rows held for the other request parameters last shown
   * (the other range): switching back asks them with If-None-Match and
   * `since`, so it moves only what changed since, not every row again.
   */
  private other: { key: string; summary: Held<FeedSummary>; rows: Map<string, Held<FeedNodeDetail>> } | null = null;
  /** The request parameters of the data last published. */
  private publishedKey = '';

  /** Fetch now; a request already running for the same node, range and key is left to finish. */
  refresh(reason: RefreshReason): void {
    const { baseUrl, range, apiKey, key } = this.params();
    const controller = this.begin(key, reason, range);
    if (!controller) return;
    this.recheck = false;
    const req: Req = { apiKey, signal: controller.signal, ...(this.opts.fetchImpl ? { fetchImpl: this.opts.fetchImpl } : {}) };
    const run = this.legacyBase === baseUrl ? this.pollCluster(key, baseUrl, range, req) : this.pollFeed(key, baseUrl, range, req);
    void run.then((outcome) => {
      if (!this.finish(controller, outcome)) return;
      if (this.recheck) this.refresh('expand');
    });
  }

  /**
   * The page's open nodes changed: rows no longer wanted are dropped now,
   * rows newly wanted are asked for at once.
   */
  wantedChanged(): void {
    if (!this.summary) return;
    const wanted = this.opts.wanted(this.summary.value);
    let dropped = false;
    for (const id of this.rows.keys()) {
      if (!wanted.has(id)) dropped = this.rows.delete(id) || dropped;
    }
    if (dropped) this.publish();
    if (!this.missingRows()) return;
    this.legacyEtag = null; // an unchanged /api/cluster (304) would not bring the rows dropped earlier
    if (this.loading) this.recheck = true;
    else this.refresh('expand');
  }

  private missingRows(): boolean {
    if (!this.summary) return false;
    const wanted = this.opts.wanted(this.summary.value);
    return this.summary.value.nodes.some((n) => wanted.has(n.node.id) && !this.rows.has(n.node.id));
  }

  /** Holds the answers of `key`: those kept from when it was last shown, or none; the ones held so far are kept as the other's. */
  private hold(key: string): void {
    if (this.heldKey === key) return;
    const back = this.other?.key === key ? this.other : null;
    this.other = this.summary && this.legacyBase === null ? { key: this.heldKey, summary: this.summary, rows: this.rows } : null;
    this.heldKey = key;
    this.summary = back?.summary ?? null;
    this.rows = back?.rows ?? new Map();
    this.legacyEtag = null;
  }

  private publish(): void {
    const s = this.summary?.value;
    if (!s) return;
    this.publishedKey = this.heldKey;
    const { nodes, ...head } = s;
    this.data = { ...head, nodes: nodes.map((summary) => ({ summary, detail: this.rows.get(summary.node.id)?.value ?? null })) };
    this.opts.onData?.(this.data);
  }

  private async pollFeed(key: string, baseUrl: string, range: RangeName, req: Req): Promise<PollOutcome> {
    // Answers held from when this range was last shown are asked again with their ETag and tags.
    const kept = this.heldKey === key ? this.summary : this.other?.key === key ? this.other.summary : null;
    const r = await fetchJsonIfChanged({ ...req, url: summaryUrl(baseUrl, range), etag: kept?.etag ?? null }, normalizeSummary, 'a cluster summary');
    if (!r.ok && r.failure.kind === 'http' && r.failure.status === 404) {
      this.legacyBase = baseUrl;
      return this.pollCluster(key, baseUrl, range, req);
    }
    if (!r.ok) return r;
    if (req.signal.aborted) return { ok: false, failure: { kind: 'aborted', status: null, message: 'Cancelled.' } };
    this.hold(key);
    if (!r.value.data && !this.summary) return { ok: false, failure: { kind: 'invalid', status: null, message: 'A 304 for a summary not held.' } };
    // Another range than the page shows: its summary is painted at once (open nodes keep their rows if held, else
    // brief rows), and each batch of rows as it comes, rather than the whole after the last node's rows.
    const switching = this.publishedKey !== key;
    let changed = switching;
    if (r.value.data) {
      this.summary = { etag: r.value.etag, value: r.value.data };
      changed = true;
    }
    if (switching) this.publishRows();
    const summary = this.summary!.value;
    const wanted = this.opts.wanted(summary);
    for (const id of this.rows.keys()) {
      if (!wanted.has(id)) changed = this.rows.delete(id) || changed;
    }
    const ids = [...new Set(summary.nodes.map((n) => n.node.id).filter((id) => wanted.has(id)))];
    // ROWS_AT_ONCE requests in flight, each next one asked as soon as one is in (no batch waits for its slowest).
    let next = 0;
    let taken = 0;
    const take = (id: string, a: Awaited<ReturnType<FeedPoller['fetchRows']>>): void => {
      const held = this.rows.get(id);
      if (a.ok && a.value.data) {
        const { detail, tag } = a.value.data;
        this.rows.set(id, { etag: tag !== undefined ? `"${tag}"` : a.value.etag, value: detail });
        changed = changed || detail !== held?.value;
      } else if (!a.ok && a.failure.kind === 'invalid' && held) {
        // A delta that does not fit the rows held (or a body that is no rows): ask for all of them next time.
        this.rows.set(id, { etag: null, value: held.value });
      }
      // A failed node keeps the rows it had (or stays brief); the next poll asks again.
      taken++;
      if (switching && changed && taken % ROWS_AT_ONCE === 0 && taken < ids.length) this.publish();
    };
    const asker = async (): Promise<void> => {
      for (let i = next++; i < ids.length && !req.signal.aborted; i = next++) {
        const a = await this.fetchRows(baseUrl, ids[i]!, range, req);
        if (!req.signal.aborted) take(ids[i]!, a);
      }
    };
    await Promise.all(Array.from({ length: Math.min(ROWS_AT_ONCE, ids.length) }, asker));
    if (req.signal.aborted) return { ok: false, failure: { kind: 'aborted', status: null, message: 'Cancelled.' } };
    if (changed) this.publishRows();
    return { ok: true };
  }

  /** Publishes what is held, marked for a profile or benchmark (to tell the network from the rendering). */
  private publishRows(): void {
    performance.mark('jm-cluster-received');
    this.publish();
  }

  private fetchRows(baseUrl: string, id: string, range: RangeName, req: Req): Promise<FetchResult<{ data: { detail: FeedNodeDetail; tag?: string } | null; etag: string | null }>> {
    const held = this.rows.get(id);
    const tag = tagOfEtag(held?.etag);
    const shape = (body: unknown) => normalizeRowsAnswer(body, held && { tag, value: held.value });
    return fetchJsonIfChanged({ ...req, url: nodeUrl(baseUrl, id, range, tag), etag: held?.etag ?? null }, shape, "a node's rows");
  }

  /** A node without the feed: /api/cluster (in a worker where the page allows), made into the same data. */
  private async pollCluster(key: string, baseUrl: string, range: RangeName, req: Req): Promise<PollOutcome> {
    const etag = this.heldKey === key ? this.legacyEtag : null;
    const r = await this.clusterFetch()({ ...req, baseUrl, range, etag });
    if (!r.ok || !r.value.data) return r.ok ? { ok: true } : r;
    const cluster = r.value.data;
    this.hold(key);
    const all = fleetFromCluster(cluster);
    const { nodes, ...head } = all;
    this.summary = { etag: null, value: { ...head, nodes: nodes.map((n) => n.summary) } };
    const wanted = this.opts.wanted(this.summary.value);
    this.rows = new Map(nodes.filter((n) => wanted.has(n.summary.node.id)).map((n) => [n.summary.node.id, { etag: null, value: n.detail! }]));
    this.legacyEtag = r.value.etag;
    performance.mark('jm-cluster-received');
    this.publish();
    return { ok: true };
  }
}

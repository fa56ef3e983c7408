/**
 * The deltas of a node's rows answers (`/api/cluster/node/:id?since=<tag>`,
 * src/views/feed-delta.ts): of every rows answer a client was sent, the
 * index (a hash per field of every row), the last few per node and range;
 * a delta from one of them to the rows of now is kept per base and version
 * like any answer. Only rows a client holds can be its later `since`, so
 * rows built for the summary alone are not remembered.
 */
import type { FeedNodeDetail } from '../views/cluster-feed.js';
import { indexRows, unitChanges, type RowsIndex } from '../views/feed-delta.js';
import { createAnswer, JSON_TYPE, toBytes, type Answer } from './answer.js';
import type { AnswerCache } from './answer-cache.js';

/** Rows answers served per node and range whose index is kept (the newest included); about 80 KiB each at 500 units. */
export const KEPT_INDEXES = 4;
/** A `since` longer than this names no answer of ours (tags are about 12 characters). */
const MAX_SINCE = 64;

/** The tags a `since` may name: an ETag's value with or without quotes, W/ or the gzip form's -gz. */
export function sinceTags(raw: unknown): string[] {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_SINCE) return [];
  const bare = raw.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return bare.endsWith('-gz') ? [bare, bare.slice(0, -3)] : [bare];
}

export interface RowsDeltas {
  /** Keeps a new rows answer of `detail` under `key` at `version`, with its index. */
  keep(key: string, version: string, detail: FeedNodeDetail): Answer;
  /**
   * What to send a client holding the rows `since` names (none: `[]`) when the node's
   * rows (filed under `node`, at `version`) are `rows`: the delta when it can be made
   * (`since` still known, the same units), else `rows`. Either way the client then
   * holds `rows`, which are remembered.
   */
  answerFor(node: string, version: string, rows: Answer, since: readonly string[]): Answer;
}

/** The deltas of the rows answers kept in `cache`. */
export function rowsDeltas(cache: AnswerCache): RowsDeltas {
  /** Per node and range: the tags and indexes of the last KEPT_INDEXES rows answers served, oldest first. */
  const indexes = new Map<string, Array<{ tag: string; index: RowsIndex }>>();
  /** The index of each rows answer kept (it goes with the answer). */
  const indexOfRows = new WeakMap<Answer, RowsIndex>();

  const remember = (node: string, rows: Answer): { tag: string; index: RowsIndex } => {
    const list = indexes.get(node) ?? [];
    const known = list.find((k) => k.tag === rows.tag);
    if (known !== undefined) return known;
    const index = indexOfRows.get(rows) ?? indexRows((JSON.parse(Buffer.concat(rows.parts).toString('utf8')) as FeedNodeDetail).units);
    const entry = { tag: rows.tag, index };
    indexes.set(node, [...list, entry].slice(-KEPT_INDEXES));
    return entry;
  };

  return {
    keep(key, version, detail) {
      const rows = cache.put(key, version, createAnswer(toBytes([JSON.stringify(detail)]), JSON_TYPE, cache.nextTag()));
      indexOfRows.set(rows, indexRows(detail.units));
      return rows;
    },
    answerFor(node, version, rows, since) {
      const base = since.length === 0 ? undefined : (indexes.get(node) ?? []).find((k) => since.includes(k.tag));
      const now = remember(node, rows);
      if (base === undefined || base.index.ids !== now.index.ids || base.index.shapes.length !== now.index.shapes.length) return rows;
      return cache.answer(`cluster/feed-delta:${node}:${base.tag}`, `${version}#${rows.tag}`, () => {
        const { units, ...head } = JSON.parse(Buffer.concat(rows.parts).toString('utf8')) as FeedNodeDetail;
        const { changes, every } = unitChanges(units, now.index, base.index) ?? { changes: [] };
        return { bytes: toBytes([JSON.stringify({ ...head, since: base.tag, tag: rows.tag, ...(every !== undefined ? { every } : {}), changes })]), type: JSON_TYPE };
      });
    },
  };
}

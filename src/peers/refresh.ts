/**
 * One refresh of one peer, with its effects: the requests (through the
 * shared limiter, one slot per request so every peer's newest day is read
 * before anyone's back-fill), the transitions of peer-state.ts applied, and
 * what they imply for the store and the head (a replaced node forgotten, the
 * head joining the store once the back-fill reaches it).
 */
import type { PeerConfig } from '../config/types.js';
import type { Limiter } from '../limiter.js';
import type { Logger } from '../log.js';
import type { PeerClient } from './client.js';
import type { PeerDecoder } from './decode-pool.js';
import { cursorOf, PeerHead } from './head.js';
import type { PeerLimits } from './limits.js';
import { attempted, conflictOf, failed, nextStep, replacedNode, succeeded, type PeerIdentity, type Transition } from './peer-state.js';
import type { PeerMeta } from './store.js';
import { pullPeer, type PullResult, type Pulled } from './sync.js';
import type { TrackedPeer } from './tracked-peer.js';

/** Pages of a paging peer's backlog read in one refresh (about 16 MB of JSON each). */
export const MAX_PAGES = 20;
const PRUNE_EVERY_MS = 60 * 60_000;

export interface RefreshContext {
  ownId: string;
  ownIntervalMs: number;
  client: PeerClient;
  decoder: PeerDecoder;
  limits: PeerLimits;
  slots: Limiter;
  log: Logger;
  now: () => number;
  signal: AbortSignal;
  /** Every peer's configured and reported id, in config order (for conflictOf). */
  identities: () => PeerIdentity[];
  pageBytes?: number;
  compactPageChecks?: number;
  /** Ask nodes that announce it for the compact page form (default true). */
  compact?: boolean;
  onRefresh?: (peer: PeerConfig, ok: boolean, error: string | undefined, atMs: number) => void;
}

/** The node id a pull reports (status first, as the original). */
function reportedOf(p: Pulled): string | undefined {
  return p.status.node?.id ?? p.history.node?.id;
}

/** What the last good refresh said besides history. */
function metaOf(p: Pulled, atMs: number): PeerMeta {
  const node = p.status.node ?? p.history.node;
  const targets = p.status.targets ?? p.history.targets;
  return {
    ...(node !== undefined ? { node } : {}),
    ...(p.status.status !== undefined ? { status: p.status.status } : {}),
    ...(p.status.connectivity !== undefined ? { connectivity: p.status.connectivity } : {}),
    ...(targets !== undefined ? { targets } : {}),
    last_success_at: new Date(atMs).toISOString(),
  };
}

function apply(ctx: RefreshContext, t: TrackedPeer, tr: Transition): void {
  t.record = tr.record;
  if (tr.log !== undefined) ctx.log[tr.log.level](`peer ${t.peer.id}: ${tr.log.message}`);
}

function fail(ctx: RefreshContext, t: TrackedPeer, raw: string): void {
  apply(ctx, t, failed(t.record, raw));
  ctx.onRefresh?.(t.peer, false, t.record.error, ctx.now());
}

/** A peer address that now answers as another node: forget what was held of the old one. */
function dropIfReplaced(ctx: RefreshContext, t: TrackedPeer, p: Pulled): boolean {
  const reported = reportedOf(p);
  const previous = t.store.meta.node?.id;
  if (!replacedNode(previous, reported)) return false;
  ctx.log.warn(`peer ${t.peer.id}: now reports node id "${reported}" (was "${previous}"); its cached history was dropped`);
  t.store.reset();
  delete t.head; // the head held was the old node's
  return true;
}

/** A good page: into the head (the newest day, while older days are read) or the store; the record moves on. */
function succeed(ctx: RefreshContext, t: TrackedPeer, p: Pulled): void {
  dropIfReplaced(ctx, t, p);
  const at = ctx.now();
  const meta = metaOf(p, at);
  if (p.head === true) {
    (t.head ??= new PeerHead()).addPage(p.history);
    t.store.add([], [], meta);
  } else t.store.addPage(p.history, meta);
  if (at - t.lastPruneAt >= PRUNE_EVERY_MS) {
    t.lastPruneAt = at;
    t.store.prune();
  }
  apply(ctx, t, succeeded(t.record, at, reportedOf(p)));
  ctx.onRefresh?.(t.peer, true, undefined, at);
}

/** Once the store reaches the head (or the peer has nothing more), the head joins the store. */
function mergeHead(ctx: RefreshContext, t: TrackedPeer, more: boolean): void {
  const head = t.head;
  if (head === undefined || !head.reachedBy(t.store.lastStatusTime(), more)) return;
  const held = head.entries();
  t.store.add(held.status, held.connectivity, { ...t.store.meta });
  delete t.head;
  ctx.log.info(`peer ${t.peer.id}: older history read; sync complete`);
}

/** One request pair, holding one of the slots only for its own duration, so peers' heads go first. */
function pullOnce(ctx: RefreshContext, t: TrackedPeer, mode: 'auto' | 'forward'): Promise<PullResult> {
  return ctx.slots.run(() => {
    t.record = attempted(t.record, ctx.now());
    return pullPeer({
      client: ctx.client,
      peer: t.peer,
      cursor: cursorOf(t.store.status, t.store.connectivity),
      ...(t.head !== undefined ? { headCursor: t.head.cursor() } : {}),
      mode,
      ownIntervalMs: ctx.ownIntervalMs,
      signal: ctx.signal,
      now: ctx.now,
      decoder: ctx.decoder,
      limits: ctx.limits,
      ...(ctx.pageBytes !== undefined ? { pageBytes: ctx.pageBytes } : {}),
      ...(ctx.compact !== undefined ? { compact: ctx.compact } : {}),
      ...(ctx.compactPageChecks !== undefined ? { compactPageChecks: ctx.compactPageChecks } : {}),
    });
  });
}

/**
 * One refresh of `t`: resolves when its pages are read or it failed; never
 * rejects for a peer's fault. A node that pages answers a large backlog a
 * page at a time: its newest day first (the head), then up to MAX_PAGES
 * pages forward from what is held, the rest next refresh.
 */
export async function refreshPeer(ctx: RefreshContext, t: TrackedPeer): Promise<void> {
  let mode: 'auto' | 'forward' = 'auto';
  for (let pages = 1; ; pages++) {
    if (ctx.signal.aborted) return;
    const r = await pullOnce(ctx, t, mode);
    if (ctx.signal.aborted) return; // shutting down: not the peer's failure
    if (!r.ok) return fail(ctx, t, r.error);
    const ids = ctx.identities();
    const conflict = conflictOf(ctx.ownId, ids, ids.findIndex((i) => i.id === t.peer.id), reportedOf(r.value));
    if (conflict !== undefined) return fail(ctx, t, conflict);
    // Another node now answers at this address: drop what was held and read it from the start
    // (the history just pulled was asked from the old node's cursor, so it is only a tail).
    if (r.value.since !== undefined && dropIfReplaced(ctx, t, r.value)) {
      if (pages >= MAX_PAGES) return;
      mode = 'auto';
      continue;
    }
    succeed(ctx, t, r.value);
    mode = 'forward';
    const more = r.value.history.more === true;
    if (r.value.head !== true) mergeHead(ctx, t, more);
    if (nextStep({ head: r.value.head === true, more }, pages, MAX_PAGES) === 'done') return;
  }
}

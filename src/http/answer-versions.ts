/**
 * The data versions cached answers are keyed by. An answer is a function of
 * its data and the clock, so its version is the data's counter plus a time
 * bucket: it is rebuilt after a new sample, a peer refresh or an incident
 * change, and at the latest when the bucket rolls over.
 */
import type { IncidentService } from '../incidents/service.js';
import type { LocalNode } from '../node/local.js';

/** Counters the daemon keeps for data that does not live in the local history. */
export interface DataVersions {
  /** Changes after every peer refresh; without it, /api/cluster is built per request. */
  peers?: () => number;
  /** Changes after every incident observation; without it, /api/incidents is built per request. */
  incidents?: () => number;
}

/** Longest time a cached answer is served for unchanged data (its windows and durations move with the clock). */
export const MAX_BUCKET_MS = 60_000;

/** Version strings per kind of answer; equal strings mean equal answers. */
export interface AnswerVersions {
  /** Answers over the local node's history only (status, uptime, history, badges). */
  local(): string;
  /** /api/cluster: the local node and every peer. */
  peers(): string;
  incidents(): string;
  /** The time bucket every version above ends with (answers kept per peer add it to the peer's own version). */
  bucket(): number;
  /** /metrics: any data change or write failure, and at most a second old (process figures move all the time). */
  metrics(): string;
  /**
   * Every data version and the time bucket at once: while it is unchanged, so
   * are local(), peers() and incidents(). Undefined when a counter is missing
   * (those answers are then built per request and never the same twice).
   */
  stamp(): string | undefined;
}

/**
 * Versions over `local` and the daemon's counters. The bucket is the sample
 * interval, at most a minute: between two samples the answers barely move.
 */
export function answerVersions(deps: {
  local: LocalNode;
  now: () => number;
  versions?: DataVersions;
  bucketMs?: number;
  /** The history's write state, shown in /metrics without being part of any data version. */
  writes?: () => { pendingWrites: number; lastWriteError: string | undefined };
}): AnswerVersions {
  const bucketMs = deps.bucketMs ?? Math.max(1_000, Math.min(MAX_BUCKET_MS, deps.local.intervalMs()));
  let uncached = 0;
  const bucket = () => Math.floor(deps.now() / bucketMs);
  const counter = (read: (() => number) | undefined) => (read === undefined ? `u${++uncached}` : String(read()));
  // Asked on every request: the string is made again only when the version or the bucket moved.
  let last = { data: NaN, bucket: NaN, text: '' };
  let lastStamp = { data: NaN, peers: NaN, incidents: NaN, bucket: NaN, text: '' };
  return {
    local: () => {
      const [data, b] = [deps.local.dataVersion(), bucket()];
      if (data !== last.data || b !== last.bucket) last = { data, bucket: b, text: `${data}@${b}` };
      return last.text;
    },
    peers: () => `${counter(deps.versions?.peers)}@${bucket()}`,
    bucket,
    incidents: () => `${counter(deps.versions?.incidents)}@${bucket()}`,
    stamp: () => {
      const [peers, incidents] = [deps.versions?.peers, deps.versions?.incidents];
      if (peers === undefined || incidents === undefined) return undefined;
      // Asked on every request the fast lane serves: compared as numbers, made into a string only when one moved.
      const data = deps.local.dataVersion();
      const p = peers();
      const i = incidents();
      const b = bucket();
      const l = lastStamp;
      if (data !== l.data || p !== l.peers || i !== l.incidents || b !== l.bucket) {
        lastStamp = { data, peers: p, incidents: i, bucket: b, text: `${data}|${p}|${i}@${b}` };
      }
      return lastStamp.text;
    },
    metrics: () => {
      const w = deps.writes?.();
      const data = `${deps.local.dataVersion()}|${counter(deps.versions?.peers)}|${counter(deps.versions?.incidents)}`;
      return `${Math.floor(deps.now() / 1000)}|${data}|${w?.pendingWrites ?? ''}|${w?.lastWriteError ?? ''}`;
    },
  };
}

/** The incident service, counting the observations that may change what list() answers. */
export function countingIncidents(s: IncidentService): IncidentService & { version(): number } {
  let version = 0;
  return {
    ...s,
    observeStatus(entry) {
      s.observeStatus(entry);
      version++;
    },
    observeProbe(sample) {
      s.observeProbe(sample);
      version++;
    },
    observePeer(peerId, name, ok, error, atMs) {
      s.observePeer(peerId, name, ok, error, atMs);
      version++;
    },
    observeStorage(ok, error, atMs) {
      s.observeStorage(ok, error, atMs);
      version++;
    },
    version: () => version,
  };
}

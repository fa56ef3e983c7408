/** The DNS probe summary of a node: latest state, latency, share of ok samples. */
import { formatDateTime, parseTime, type Tone } from './format.js';
import { connectivityProblemSince } from './since.js';
import type { FeedProbeCounts } from '../../src/views/cluster-feed.js';
import type { PeerSnapshot, TimelinePoint } from './types.js';

export interface ProbeView {
  target: string;
  /** online: the last probe connected; offline: it failed; pending: no sample yet. */
  state: 'online' | 'offline' | 'pending';
  tone: Tone;
  /** Connect time of the last probe; null when it failed or never ran. */
  latencyMs: number | null;
  error: string | undefined;
  checkedAt: number | null;
  /** Share of ok samples (history if sent, else timeline buckets), or null. */
  onlinePercent: number | null;
  /** What `onlinePercent` is computed from, e.g. "14 of 15 probes since Nov 28, 10:35 AM". */
  onlineBasis: string;
  points: readonly TimelinePoint[];
  /** When the current outage began (ms), while offline. */
  since: number | null;
}

/**
 * The history is sample-accurate but capped (5000 samples), so for 30 days
 * it may cover only the last days: the basis text says what was counted.
 */
function onlineShare(snapshot: PeerSnapshot & { connectivity_counts?: FeedProbeCounts }): { percent: number | null; basis: string } {
  // The compact feed counts the history on the server and sends only its trailing failures.
  const counts = snapshot.connectivity_counts;
  if (counts && counts.total > 0) {
    return { percent: (counts.ok / counts.total) * 100, basis: `${counts.ok} of ${counts.total} probes ok since ${formatDateTime(counts.first)}` };
  }
  const history = snapshot.connectivity_history ?? [];
  if (history.length > 0) {
    const ok = history.reduce((n, s) => n + (s.ok ? 1 : 0), 0);
    return {
      percent: (ok / history.length) * 100,
      basis: `${ok} of ${history.length} probes ok since ${formatDateTime(history[0]?.checked_at)}`,
    };
  }
  const known = (snapshot.connectivity_timeline ?? []).filter((p) => p.className !== 'state-missing');
  if (known.length === 0) return { percent: null, basis: 'no probe data in the range' };
  const ok = known.filter((p) => p.className === 'state-success').length;
  return { percent: (ok / known.length) * 100, basis: `${ok} of ${known.length} periods with data were ok` };
}

/** The probe of a node, or null when the node does not probe (or sent nothing). */
export function probeView(snapshot: PeerSnapshot): ProbeView | null {
  const latest = snapshot.connectivity ?? snapshot.connectivity_history?.at(-1);
  if (!latest) return null;
  const state = latest.ok ? 'online' : latest.error ? 'offline' : 'pending';
  const share = onlineShare(snapshot);
  return {
    target: latest.target,
    state,
    tone: state === 'online' ? 'ok' : state === 'offline' ? 'error' : 'unknown',
    latencyMs: latest.ok && Number.isFinite(latest.latency_ms) ? latest.latency_ms : null,
    error: latest.error,
    checkedAt: parseTime(latest.checked_at),
    onlinePercent: share.percent,
    onlineBasis: share.basis,
    points: snapshot.connectivity_timeline ?? [],
    since: latest.ok ? null : connectivityProblemSince(snapshot.connectivity_history, snapshot.connectivity_timeline),
  };
}

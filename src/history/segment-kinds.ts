/**
 * The local history's two kinds of record as the segment store
 * (src/storage/) holds them, and a directory's pair of stores: the local
 * history and every peer's copy open the same pair, with their own write policy.
 */
import { SegmentStore, type SegmentCodec, type StoreNote, type WritePolicy } from '../storage/segment-store.js';
import type { SegmentListing } from '../storage/segments.js';
import type { ConnectivityStatus, StatusEntry } from '../types.js';
import { checkConnectivity, checkStatus, encodeConnectivity, encodeStatus } from './columnar.js';
import { ConnectivityLog, type ConnectivityColumns } from './connectivity-log.js';
import { acceptConnectivity, acceptStatusEntry } from './records.js';
import { SampleLog, type SampleColumns } from './sample-log.js';
import { parseTime } from './time.js';

/** Status samples in the segment store. */
export const STATUS_CODEC: SegmentCodec<StatusEntry, SampleColumns, SampleLog> = {
  kind: 'status',
  accept: acceptStatusEntry,
  check: checkStatus,
  encode: encodeStatus,
  create: () => new SampleLog(),
  timeOf: (e) => parseTime(e.timestamp),
};

/** DNS probe samples in the segment store. */
export const CONNECTIVITY_CODEC: SegmentCodec<ConnectivityStatus, ConnectivityColumns, ConnectivityLog> = {
  kind: 'connectivity',
  accept: acceptConnectivity,
  check: checkConnectivity,
  encode: encodeConnectivity,
  create: () => new ConnectivityLog(),
  timeOf: (c) => parseTime(c.checked_at),
};

/** A directory's two segment stores (status, connectivity) with one write policy. */
export interface SegmentPair {
  status: SegmentStore<StatusEntry, SampleColumns, SampleLog>;
  connectivity: SegmentStore<ConnectivityStatus, ConnectivityColumns, ConnectivityLog>;
}

/** Opens and loads both kinds' stores of `dir` from `listing` (see listForOpen). */
export async function loadSegmentPair(
  opts: { dir: string; retentionDays: number; now: () => number; policy: WritePolicy; onNote: (n: StoreNote) => void; maxPendingBytes?: number },
  listing: SegmentListing,
): Promise<SegmentPair> {
  const pair: SegmentPair = {
    status: new SegmentStore(opts, STATUS_CODEC),
    connectivity: new SegmentStore(opts, CONNECTIVITY_CODEC),
  };
  const nowMs = opts.now();
  await pair.status.load(listing.status, nowMs);
  await pair.connectivity.load(listing.connectivity, nowMs);
  return pair;
}


/**
 * Per-unit sample counters for Prometheus: samples taken, samples passing and
 * sampling slots missed since the daemon started. With them, Prometheus
 * computes uptime over any window the way /api/node/uptime does
 * (passing / (samples + missed)), including the time the daemon was down.
 *
 * The counters are advanced from the history when Prometheus scrapes, so the
 * check path does no extra work. Missed slots between two consecutive samples
 * of a unit are `lostBetween` of src/views/range-scan.ts, the rule uptime
 * uses; the gap between the last sample before this start and the first
 * after it is charged to the first new sample, so a restart's downtime shows
 * up as part of the counters' first values (Prometheus reads a counter reset
 * as an increase from zero).
 */
import { parseTime } from '../history/time.js';
import type { StatusEntry } from '../types.js';
import { lostBetween } from '../views/range-scan.js';

/** One unit's counters. */
export interface SampleTally {
  samples: number;
  passing: number;
  missed: number;
}

/** Where the counters read samples from. */
export interface SampleFeed {
  /** The oldest `limit` samples strictly newer than `afterMs` (epoch ms), oldest first. */
  samplesAfter(afterMs: number, limit: number): readonly StatusEntry[];
  /** The sampling interval in ms. */
  intervalMs(): number;
}

/** Samples read per step: bounds the memory of catching up after a long time without a scrape. */
const PAGE = 500;

/**
 * Counters over the samples newer than `seed` (the newest sample when the
 * daemon started; undefined with an empty history). Units of `seed` are
 * charged for the gap up to their next sample; a unit first sampled later is
 * charged nothing before it.
 */
export class SampleCounters {
  private cursor: number;
  private readonly lastAt = new Map<string, number>();
  private readonly tallies = new Map<string, SampleTally>();

  constructor(private readonly feed: SampleFeed, seed: StatusEntry | undefined) {
    const t = seed === undefined ? Number.NaN : parseTime(seed.timestamp);
    this.cursor = Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
    if (Number.isFinite(t)) for (const c of seed!.checks) this.lastAt.set(c.id, t);
  }

  /** Reads the samples taken since the last call and returns every unit's counters. */
  advance(): ReadonlyMap<string, Readonly<SampleTally>> {
    const interval = this.feed.intervalMs();
    for (;;) {
      const before = this.cursor;
      const page = this.feed.samplesAfter(this.cursor, PAGE);
      for (const entry of page) this.add(entry, interval);
      if (page.length < PAGE || this.cursor === before) break;
    }
    return this.tallies;
  }

  private add(entry: StatusEntry, interval: number): void {
    const t = parseTime(entry.timestamp);
    if (!Number.isFinite(t) || t <= this.cursor) return;
    this.cursor = t;
    for (const c of entry.checks) {
      let tally = this.tallies.get(c.id);
      if (tally === undefined) this.tallies.set(c.id, (tally = { samples: 0, passing: 0, missed: 0 }));
      const prev = this.lastAt.get(c.id);
      if (prev !== undefined && interval > 0) tally.missed += lostBetween(prev, t, interval);
      tally.samples += 1;
      if (c.ok) tally.passing += 1;
      this.lastAt.set(c.id, t);
    }
  }
}

/**
 * The sampling metrics Prometheus' uptime rules are built on (see
 * deploy/prometheus/jobmonitor-rules.yml): the interval, and per unit the
 * samples taken, passing and missed since the daemon started.
 */
import type { Counter, Gauge, Registry } from 'prom-client';
import { prom } from './prom.js';
import type { StatusEntry } from '../types.js';
import { SampleCounters, type SampleFeed, type SampleTally } from './sample-counters.js';

const ZERO: SampleTally = { samples: 0, passing: 0, missed: 0 };

export interface SampleMetricsDeps {
  registry: Registry;
  node: string;
  /** Configured targets: a unit's `service` label, and which units are exported. */
  targets: () => readonly { id: string; service: string }[];
  feed: SampleFeed;
  /** The newest sample when the daemon started (its units are charged for the downtime since). */
  seed: StatusEntry | undefined;
}

/**
 * Registers jobmonitor_sample_interval_seconds and the three
 * jobmonitor_target_*samples_total counters. prom-client calls every
 * collect of one scrape in the same tick, so the three counters always
 * describe the same set of samples.
 */
export function registerSampleMetrics(deps: SampleMetricsDeps): void {
  const { registry, node, feed } = deps;
  const counters = new SampleCounters(feed, deps.seed);
  new prom.Gauge({
    name: 'jobmonitor_sample_interval_seconds',
    help: 'How often the units are sampled (interval_minutes), in seconds.',
    labelNames: ['node'],
    registers: [registry],
    collect(this: Gauge) {
      this.set({ node }, feed.intervalMs() / 1000);
    },
  });
  const counter = (name: string, help: string, pick: (t: Readonly<SampleTally>) => number): void => {
    new prom.Counter({
      name,
      help,
      labelNames: ['node', 'target', 'service'],
      registers: [registry],
      collect(this: Counter) {
        this.reset();
        const tallies = counters.advance();
        // Zero until a unit's first sample: the series exists before it, so Prometheus counts that sample (and
        // the downtime charged with it) as an increase instead of taking it as the series' starting value.
        for (const t of deps.targets()) this.inc({ node, target: t.id, service: t.service }, pick(tallies.get(t.id) ?? ZERO));
      },
    });
  };
  counter('jobmonitor_target_samples_total', 'Samples of the unit taken since the daemon started.', (t) => t.samples);
  counter('jobmonitor_target_passing_samples_total', 'Samples of the unit that found it active, since the daemon started.', (t) => t.passing);
  counter(
    'jobmonitor_target_missed_samples_total',
    'Sampling slots in which the unit was not sampled (daemon down or stalled), counted as failing by uptime; ' +
      'the downtime before this start is added with the first new sample.',
    (t) => t.missed,
  );
}

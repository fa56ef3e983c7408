/**
 * The sampler owns one sample's path: check (the pool, through the checker)
 * -> store (the history) -> observe (incidents; metrics read the history).
 * It schedules the sweep every interval and the DNS probe every
 * `monitor_dns.interval_seconds`, never overlapping either, and a sweep or
 * probe cut short by the shutdown stores nothing.
 */
import type { DnsMonitorConfig, TargetConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { ConnectivityStatus, StatusEntry } from '../types.js';
import { createPeriodic, type Periodic } from './periodic.js';
import { createProbeRun, createSweep, type TargetChecker } from './sweep.js';

type WriteResult = { ok: true } | { ok: false; error: string };

/** What the sampler needs of the history. */
export interface SampleStore {
  appendStatus(entry: StatusEntry): Promise<WriteResult>;
  appendConnectivity(sample: ConnectivityStatus): Promise<WriteResult>;
  latestStatus(): StatusEntry | undefined;
}

/** Who hears every stored sample (the incident service). */
export interface SampleObserver {
  observeStatus(entry: StatusEntry): void;
  observeProbe(sample: ConnectivityStatus): void;
  /** Every history write, good or bad: a full or read-only disk is an incident. */
  observeStorage(ok: boolean, error: string | undefined, atMs: number): void;
}

export interface SamplerOptions {
  targets: readonly TargetConfig[];
  intervalMs: number;
  /** The DNS probe's settings; no probe when not enabled. */
  dns: DnsMonitorConfig;
  checker: TargetChecker;
  probeDns: (cfg: DnsMonitorConfig) => Promise<ConnectivityStatus>;
  store: SampleStore;
  observer: SampleObserver;
  log: Logger;
  now: () => number;
}

export interface Sampler {
  start(): void;
  /**
   * Stops scheduling. From now on nothing finished is stored or observed;
   * resolves when the runs in flight are over or `graceMs` passed, whichever
   * comes first (closing the pool then ends what is left; await `settled()`).
   */
  stop(graceMs: number): Promise<void>;
  /** Resolves when every run in flight has ended. */
  settled(): Promise<void>;
  /** When the newest sample was taken (also one from before a restart), for /healthz. */
  lastSampleAt(): number | undefined;
}

export function createSampler(o: SamplerOptions): Sampler {
  const previous = o.store.latestStatus();
  let lastSampleAt = previous === undefined ? undefined : Date.parse(previous.timestamp);
  let stopping = false;
  const isStopping = () => stopping;
  const observed = async (write: Promise<WriteResult>): Promise<WriteResult> => {
    const r = await write;
    o.observer.observeStorage(r.ok, r.ok ? undefined : r.error, o.now());
    return r;
  };
  const sink = {
    appendStatus: (entry: StatusEntry) => observed(o.store.appendStatus(entry)),
    appendConnectivity: (sample: ConnectivityStatus) => observed(o.store.appendConnectivity(sample)),
  };
  const sweep = createSweep({
    stopping: isStopping,
    targets: o.targets,
    checker: o.checker,
    sink,
    log: o.log,
    now: o.now,
    previous: previous?.checks ?? [],
    onSample: (entry) => {
      lastSampleAt = o.now();
      o.observer.observeStatus(entry);
    },
  });
  const onError = (what: string) => (e: unknown) => o.log.error(`${what} failed: ${String(e)}`);
  const tasks: Periodic[] = [
    createPeriodic({ intervalMs: o.intervalMs, run: async () => void (await sweep()), onError: onError('sweep'), now: o.now }),
  ];
  if (o.dns.enabled) {
    const probe = createProbeRun({
      probe: async () => {
        const s = await o.probeDns(o.dns);
        if (!stopping) o.observer.observeProbe(s);
        return s;
      },
      sink,
      log: o.log,
      stopping: isStopping,
    });
    tasks.push(createPeriodic({ intervalMs: o.dns.interval_seconds * 1000, run: async () => void (await probe()), onError: onError('dns probe'), now: o.now }));
  }
  let waits: Promise<void> = Promise.resolve();
  return {
    start: () => tasks.forEach((t) => t.start()),
    async stop(graceMs) {
      stopping = true;
      waits = Promise.all(tasks.map((t) => t.stop())).then(() => undefined);
      await Promise.race([waits, new Promise((r) => setTimeout(r, graceMs).unref())]);
    },
    settled: () => waits,
    lastSampleAt: () => lastSampleAt,
  };
}

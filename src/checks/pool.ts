/**
 * The main-thread side of the check workers: batches targets, runs the
 * batches on a Piscina pool, retries unit by unit where one unit may have
 * spoiled a batch, and turns every failure into a result value.
 */
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import { requireCjs } from '../cjs.js';
import { workerFile as compiledWorker } from '../paths.js';
import type { DnsMonitorConfig, TargetConfig } from '../config/types.js';
import type { CheckResult, ConnectivityStatus } from '../types.js';
import type { CheckBatchJob, CheckBatchResult, DnsProbeJob, DnsProbeResult, ListStatesJob, ListStatesResult, UnitJob, UnitState } from './jobs.js';
import { failedProbe, formatSeconds, unknownResult } from './result.js';
import { childGroups, createChildGroupsBuffer } from './child-groups.js';
import { createLimiter } from '../limiter.js';

export interface CheckPoolOptions {
  /** Default 3: jobs mostly wait on child processes, answered by one systemd; each thread costs ~7 MB of RSS. See `poolThreadsFor`. */
  maxThreads?: number;
  /** Threads kept when idle. Default 0: a thread costs ~10 MB of RSS, and a sweep every few minutes needs none in between. */
  minThreads?: number;
  /** Milliseconds an idle thread above minThreads lives. Default 15 000. */
  idleTimeout?: number;
  /** Jobs one thread runs at once (they are async waits). Default 4. */
  concurrentTasksPerWorker?: number;
  /** The compiled worker module. Default: dist/workers/check-worker.js beside this file's dist/src/checks/. */
  workerFile?: URL;
  /**
   * The workers' `process.env`, which systemctl and sudo inherit (PATH included).
   * Default: a copy of this process's environment when each thread starts.
   */
  env?: NodeJS.ProcessEnv;
  /** How long past a job's own deadline the main thread waits before giving up on the worker. Default 2000 ms. */
  backstopMs?: number;
  /** Heap cap per worker thread, so a runaway worker dies alone. Default 64. */
  maxOldGenerationSizeMb?: number;
  now?: () => number;
}

export interface CheckTargetsOptions {
  /** Units per `systemctl show` call. Default 50. */
  batchSize?: number;
  /** journal_lines: last journal lines read for each unit that is not ok (0 = none, the default). */
  journalLines?: number;
}

export interface CheckPoolStats {
  /** Jobs waiting for a free worker slot. */
  queued: number;
  /** Jobs a worker answered. */
  completed: number;
  /** Jobs that hit their deadline (in the worker) or the main-side backstop. */
  timeouts: number;
  /** Jobs a worker failed to answer (crash, thrown error, pool closed), plus worker errors outside any job. */
  workerErrors: number;
}

/** A full check of one target, with the Id systemd showed the unit under (undefined when it could not be read). */
export interface DetailedCheck {
  result: CheckResult;
  unitId: string | undefined;
}

/** What list-units said of one target: its row, null when not listed, undefined when not asked or the call failed. */
export type ListedState = UnitState | null | undefined;

export interface CheckPool {
  /**
   * Checks every target; resolves with one result per target in the order
   * given, `id`/`name` from the config. Never rejects: anything that goes
   * wrong is a result with state "unknown" and an error.
   */
  checkTargets(targets: readonly TargetConfig[], opts?: CheckTargetsOptions): Promise<CheckResult[]>;
  /** `checkTargets`, each result with the unit's Id as systemd showed it. */
  checkDetailed(targets: readonly TargetConfig[], opts?: CheckTargetsOptions): Promise<DetailedCheck[]>;
  /**
   * One `systemctl list-units` per (sudo, timeout) group: the state of each
   * target in order (see ListedState), with how long the call took. Never rejects.
   */
  listStates(targets: readonly TargetConfig[]): Promise<{ states: ListedState[]; durationMs: number }>;
  /** One connectivity sample; never rejects. */
  probeDns(cfg: DnsMonitorConfig): Promise<ConnectivityStatus>;
  stats(): CheckPoolStats;
  /**
   * Ends the pool at once: jobs in flight resolve as "unknown" ("check worker
   * failed: …") and the commands they were running are killed. Later calls
   * answer "check pool is closed".
   */
  close(): Promise<void>;
}

/** The original's defaults when a timeout is 0 or missing. */
const DEFAULT_CHECK_TIMEOUT_MS = 15_000;
const DEFAULT_PROBE_TIMEOUT_MS = 4_000;
const DEFAULT_BATCH_SIZE = 50;
/** Units per `list-units` call: its cost hardly grows with the names (measured: 300 names ≈ one call's process start). */
const LIST_BATCH_SIZE = 1000;

const DEFAULTS = {
  maxThreads: 3,
  minThreads: 0,
  // Longer than the gap between a sweep's list-units and show jobs and than short test intervals,
  // much shorter than the default 5-minute interval: threads live through a sweep, not between sweeps.
  idleTimeout: 15_000,
  // One job per thread: a second job on a busy thread only starts when the first has finished, so
  // its deadline runs out in the queue (measured again: a hung unit's 3 s timeout held three quick
  // jobs on the same thread for 2.9 s). Piscina gives a thread no other task while it runs one
  // with an AbortSignal, and every job here has one (the backstop).
  concurrentTasksPerWorker: 1,
  backstopMs: 2_000,
  maxOldGenerationSizeMb: 64,
} as const;

type PoolSettings = ReturnType<typeof settings>;

/** The options with their defaults; throws a TypeError for an invalid one (a bug in the caller). */
function settings(opts: CheckPoolOptions) {
  const o = { ...DEFAULTS, ...definedOnly(opts) };
  for (const key of ['maxThreads', 'concurrentTasksPerWorker', 'maxOldGenerationSizeMb'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new TypeError(`createCheckPool: ${key} must be a positive integer, got ${String(o[key])}`);
  }
  for (const key of ['minThreads', 'idleTimeout', 'backstopMs'] as const) {
    if (!Number.isFinite(o[key]) || o[key] < 0) throw new TypeError(`createCheckPool: ${key} must be a non-negative number, got ${String(o[key])}`);
  }
  return o;
}

function startPiscina(o: PoolSettings, opts: CheckPoolOptions, groupsBuffer: SharedArrayBuffer): Piscina {
  const workerFile = opts.workerFile ?? compiledWorker('check-worker.js');
  return new (requireCjs('piscina') as typeof import('piscina')).Piscina({
    filename: fileURLToPath(workerFile),
    maxThreads: o.maxThreads,
    minThreads: Math.min(o.minThreads, o.maxThreads),
    idleTimeout: o.idleTimeout,
    concurrentTasksPerWorker: o.concurrentTasksPerWorker,
    // With the default 'sync', an idle worker blocks in Atomics.wait and cannot reap the child it
    // killed at its last timeout: measured, one zombie per idle thread until its next job.
    atomics: 'async',
    resourceLimits: { maxOldGenerationSizeMb: o.maxOldGenerationSizeMb },
    // Piscina's run and wait time histograms (two native HdrHistograms per pool, ~350 KiB each) are read by nothing here.
    recordTiming: false,
    // Piscina loads the worker module with require() first, which on Node >= 20.17 is a synchronous
    // require(esm); a worker terminated during that load (an abort, or close() while a thread starts)
    // aborts the whole process with a V8 fatal error ("IsGraphAsync ... instantiated module"): measured
    // in 7 of 32 storms of 300 aborts under load, 0 of 64 with it off (test/reliability/workers.test.ts).
    // Off in the workers, Piscina falls back to import(), which a termination does not break.
    // The daemon's own flags are not passed on: V8 heap flags (package.json `start`) are process-wide
    // already, and a Worker refuses them in execArgv (every job then fails "invalid execArgv flags").
    execArgv: process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? ['--no-experimental-require-module'] : [],
    workerData: { childGroups: groupsBuffer },
    ...(opts.env === undefined ? {} : { env: stringEnv(opts.env) }),
  });
}

type JobAnswer<R> = { ok: true; value: R } | { ok: false; error: string };

/** What the check functions below need of a pool: a way to run one job, its counters and its size. */
interface Jobs {
  run<R>(name: string, job: unknown, timeoutMs: number): Promise<JobAnswer<R>>;
  counts: { completed: number; timeouts: number; workerErrors: number };
  maxThreads: number;
}

async function runBatch(jobs: Jobs, job: CheckBatchJob): Promise<CheckBatchResult> {
  const answer = await jobs.run<CheckBatchResult>('checkBatch', job, job.timeout_ms);
  if (answer.ok && answer.value.results.length === job.units.length) {
    if (answer.value.batch_error_kind === 'timeout') jobs.counts.timeouts += 1;
    return answer.value;
  }
  const error = answer.ok ? 'check worker failed: wrong number of results' : answer.error;
  return { results: job.units.map((u) => unknownResult(u, error)), batch_error: error };
}

/** A batch, then unit by unit if the batch failed in a way one unit could cause. */
async function checkBatch(jobs: Jobs, job: CheckBatchJob): Promise<DetailedCheck[]> {
  const first = await runBatch(jobs, job);
  const kind = first.batch_error_kind;
  if (job.units.length <= 1 || (kind !== 'timeout' && kind !== 'output')) return first.results.map((result, i) => ({ result, unitId: first.ids?.[i] }));
  const single = (unit: (typeof job.units)[number]) => runBatch(jobs, { ...job, units: [unit] });
  // A first wave, one unit per thread. When every one of those times out too, systemd itself is
  // not answering (a frozen PID 1, a stuck bus): the rest would each wait out the timeout for
  // nothing, N/threads timeouts per sweep, so they are reported without being retried.
  // One hung unit cannot time out a whole wave of its neighbours.
  const wave = Math.min(job.units.length, jobs.maxThreads);
  const firstWave = await Promise.all(job.units.slice(0, wave).map(single));
  const hostWide = job.units.length > wave && firstWave.every((r) => r.batch_error_kind === 'timeout');
  const rest = hostWide
    ? job.units.slice(wave).map((u) => ({ results: [unknownResult(u, `${first.results[0]?.error ?? 'timed out'} (systemd answered neither the batch nor single checks; not retried)`)] }))
    : await Promise.all(job.units.slice(wave).map(single));
  const singles: CheckBatchResult[] = [...firstWave, ...rest];
  return singles.map((s, i) => ({
    result: s.results[0] ?? first.results[i] ?? unknownResult(job.units[i] ?? { id: '', name: '' }, 'no result'),
    unitId: s.ids?.[0],
  }));
}

async function checkDetailed(jobs: Jobs, targets: readonly TargetConfig[], checkOpts: CheckTargetsOptions = {}): Promise<DetailedCheck[]> {
  const batchSize = checkOpts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError(`checkTargets: batchSize must be a positive integer, got ${String(batchSize)}`);
  const out = new Array<DetailedCheck>(targets.length);
  await Promise.all(
    planBatches(targets, batchSize).map(async ({ job, indexes }) => {
      const journalLines = checkOpts.journalLines ?? 0;
      if (journalLines > 0) job.journal_lines = journalLines;
      const checks = await checkBatch(jobs, job);
      indexes.forEach((targetIndex, i) => {
        const target = targets[targetIndex];
        const check = checks[i];
        if (target === undefined) return;
        // id/name always from the config, whatever the worker echoed.
        out[targetIndex] = check === undefined ? { result: unknownResult(target, 'no result'), unitId: undefined } : { result: { ...check.result, id: target.id, name: target.name }, unitId: check.unitId };
      });
    }),
  );
  return out;
}

async function listStates(jobs: Jobs, targets: readonly TargetConfig[]): Promise<{ states: ListedState[]; durationMs: number }> {
  const states = new Array<ListedState>(targets.length).fill(undefined);
  const durations = await Promise.all(
    planBatches(targets, LIST_BATCH_SIZE).map(async ({ job, indexes }) => {
      const listJob: ListStatesJob = { services: job.units.map((u) => u.service), use_sudo: job.use_sudo, timeout_ms: job.timeout_ms };
      const answer = await jobs.run<ListStatesResult>('listStates', listJob, job.timeout_ms);
      if (!answer.ok || !('states' in answer.value) || answer.value.states.length !== indexes.length) return 0;
      const listed = answer.value.states;
      indexes.forEach((targetIndex, i) => (states[targetIndex] = listed[i] ?? null));
      return answer.value.duration_ms;
    }),
  );
  return { states, durationMs: Math.max(0, ...durations) };
}

/** Ends the threads, then every process group they recorded (their commands may outlive them). */
async function destroy(piscina: Piscina, groupsBuffer: SharedArrayBuffer): Promise<void> {
  const groups = childGroups(groupsBuffer);
  // Taken before the threads go: a thread torn down mid-job may already have dropped its entry.
  const running = groups.list();
  await piscina.destroy();
  for (const pgid of new Set([...running, ...groups.list()])) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // ESRCH: already gone.
    }
    groups.remove(pgid);
  }
}

/** Creates the pool. Throws a TypeError for invalid options (a bug in the caller). */
export function createCheckPool(opts: CheckPoolOptions = {}): CheckPool {
  const o = settings(opts);
  const now = opts.now ?? Date.now;
  const groupsBuffer = createChildGroupsBuffer();
  const piscina = startPiscina(o, opts, groupsBuffer);
  const counts = { completed: 0, timeouts: 0, workerErrors: 0 };
  // A worker that dies outside any job is reported here; without a listener it would crash the daemon.
  piscina.on('error', () => {
    counts.workerErrors += 1;
  });
  // Only as many jobs go to Piscina as it can start at once, so a job's backstop clock starts when the job does, not while it queues.
  const slots = createLimiter(o.maxThreads * o.concurrentTasksPerWorker);
  let closed = false;

  async function run<R>(name: string, job: unknown, timeoutMs: number): Promise<JobAnswer<R>> {
    if (closed) return { ok: false, error: 'check pool is closed' };
    return slots.run(async () => {
      const backstop = timeoutMs + o.backstopMs;
      const signal = AbortSignal.timeout(backstop);
      try {
        const value = (await piscina.run(job, { name, signal })) as R;
        counts.completed += 1;
        return { ok: true, value };
      } catch (err) {
        if (signal.aborted) {
          counts.timeouts += 1;
          return { ok: false, error: `check worker failed: no answer within ${formatSeconds(backstop)}` };
        }
        counts.workerErrors += 1;
        return { ok: false, error: `check worker failed: ${err instanceof Error ? err.message : String(err)}` };
      }
    });
  }
  const jobs: Jobs = { run, counts, maxThreads: o.maxThreads };

  return {
    async checkTargets(targets, checkOpts = {}) {
      return (await checkDetailed(jobs, targets, checkOpts)).map((c) => c.result);
    },
    checkDetailed: (targets, checkOpts) => checkDetailed(jobs, targets, checkOpts),
    listStates: (targets) => listStates(jobs, targets),
    async probeDns(cfg) {
      const job: DnsProbeJob = {
        target: cfg.target,
        timeout_ms: cfg.timeout_seconds > 0 ? cfg.timeout_seconds * 1000 : DEFAULT_PROBE_TIMEOUT_MS,
      };
      const checkedAt = new Date(now()).toISOString();
      const answer = await run<DnsProbeResult>('probeDns', job, job.timeout_ms);
      return answer.ok ? answer.value : failedProbe(cfg.target.trim() || '1.1.1.1', answer.error, checkedAt);
    },
    stats() {
      return { queued: slots.waiting() + piscina.queueSize, ...counts };
    },
    async close() {
      if (closed) return;
      closed = true;
      await destroy(piscina, groupsBuffer);
    },
  };
}

/**
 * Groups targets sharing (use_sudo, timeout) into jobs of at most
 * `batchSize` units, remembering each unit's index in `targets`.
 */
export function planBatches(targets: readonly TargetConfig[], batchSize: number): { job: CheckBatchJob; indexes: number[] }[] {
  const groups = new Map<string, { useSudo: boolean; timeoutMs: number; members: number[] }>();
  targets.forEach((t, i) => {
    const timeoutMs = t.timeout_seconds > 0 ? t.timeout_seconds * 1000 : DEFAULT_CHECK_TIMEOUT_MS;
    const key = `${t.use_sudo ? 'sudo' : 'plain'}/${timeoutMs}`;
    const group = groups.get(key) ?? { useSudo: t.use_sudo, timeoutMs, members: [] };
    group.members.push(i);
    groups.set(key, group);
  });
  const plans: { job: CheckBatchJob; indexes: number[] }[] = [];
  for (const { useSudo, timeoutMs, members } of groups.values()) {
    for (let start = 0; start < members.length; start += batchSize) {
      const indexes = members.slice(start, start + batchSize);
      const units: UnitJob[] = indexes.flatMap((i) => {
        const t = targets[i];
        return t === undefined ? [] : [{ id: t.id, name: t.name, service: t.service, use_sudo: t.use_sudo }];
      });
      plans.push({ job: { units, use_sudo: useSudo, timeout_ms: timeoutMs }, indexes });
    }
  }
  return plans;
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

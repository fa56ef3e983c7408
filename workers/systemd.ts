/**
 * Checks a batch of systemd units with one `systemctl show` call.
 */
import type { CheckResult } from '../src/types.js';
import type { BatchErrorKind, CheckBatchJob, CheckBatchResult } from '../src/checks/jobs.js';
import { performance } from 'node:perf_hooks';
import { runTimed, type RunOutcome, type RunTimedOptions } from './exec.js';
import { addJournals } from './journal.js';
import { formatSeconds, unknownResult } from '../src/checks/result.js';
import { matchBlocks, parseShowOutput, showCommand, unitResult } from './systemd-show.js';

/** How to run a program; `runTimed` in production, a stand-in in tests. */
export type Runner = (file: string, args: readonly string[], opts: RunTimedOptions) => Promise<RunOutcome>;

export interface CheckUnitsDeps {
  run?: Runner;
  /** Environment for systemctl; defaults to this thread's `process.env` (so `PATH` is the daemon's). */
  env?: NodeJS.ProcessEnv;
  /** Where running process groups are recorded, so closing the pool can end them. */
  groups?: RunTimedOptions['groups'];
}

/**
 * Checks every unit of `job` and answers one result per unit, in order.
 * Never rejects. When the call as a whole fails, every unit is "unknown"
 * with the reason, and `batch_error`/`batch_error_kind` say why so the
 * caller can retry unit by unit.
 */
export async function checkUnits(job: CheckBatchJob, deps: CheckUnitsDeps = {}): Promise<CheckBatchResult> {
  const run = deps.run ?? runTimed;
  const started = performance.now();
  // Duplicates are asked once: systemctl's treatment of a repeated name is not something to depend on.
  const services = [...new Set(job.units.map((u) => u.service))];
  if (services.length === 0) return { results: [] };
  const { file, args } = showCommand(services, job.use_sudo);
  const runOpts: RunTimedOptions = { timeoutMs: job.timeout_ms };
  if (deps.env !== undefined) runOpts.env = deps.env;
  if (deps.groups !== undefined) runOpts.groups = deps.groups;
  const outcome = await run(file, args, runOpts);
  const durationMs = outcome.kind === 'spawn-error' ? 0 : outcome.durationMs;

  const failure = describeFailure(outcome, file, job.timeout_ms);
  if (failure !== undefined) return batchFailure(job, failure.error, failure.kind, durationMs);
  if (outcome.kind !== 'exit') throw new Error('unreachable: describeFailure covers every non-exit outcome');

  const matched = matchBlocks(services, parseShowOutput(outcome.stdout));
  if (typeof matched === 'string') return batchFailure(job, matched, 'output', durationMs);
  const byService = new Map(services.map((s, i) => [s, matched[i]] as const));
  const results: CheckResult[] = job.units.map((unit) => {
    const props = byService.get(unit.service);
    return props === undefined ? unknownResult(unit, 'no output for unit', durationMs) : unitResult(unit, props, durationMs);
  });
  const ids = job.units.map((unit) => byService.get(unit.service)?.get('Id'));
  // journal_lines > 0: units that are not ok also get their last journal lines, within the same deadline.
  const lines = job.journal_lines ?? 0;
  if (lines > 0) {
    const base = { ...(deps.env !== undefined ? { env: deps.env } : {}), ...(deps.groups !== undefined ? { groups: deps.groups } : {}) };
    return { results: await addJournals(results, job.units, lines, { run, deadline: started + job.timeout_ms, clock: () => performance.now(), runOpts: base }), ids };
  }
  return { results, ids };
}

function batchFailure(job: CheckBatchJob, error: string, kind: BatchErrorKind, durationMs: number): CheckBatchResult {
  return {
    results: job.units.map((u) => unknownResult(u, error, durationMs)),
    batch_error: error,
    batch_error_kind: kind,
  };
}

/** Host-wide conditions: every unit would fail the same way, so a per-unit retry is pointless. */
const HOST_FAILURES: readonly RegExp[] = [
  /has not been booted with systemd/i,
  /Failed to connect to bus/i,
  /^sudo: /m,
];

/**
 * Why the run produced no usable output, or undefined when it exited 0.
 * `file` is the program started ("systemctl" or "sudo").
 */
export function describeFailure(outcome: RunOutcome, file: string, timeoutMs: number): { error: string; kind: BatchErrorKind } | undefined {
  switch (outcome.kind) {
    case 'spawn-error':
      return { error: spawnErrorText(file, outcome.code, outcome.message), kind: 'host' };
    case 'timeout':
      return { error: `timed out after ${formatSeconds(timeoutMs)}`, kind: 'timeout' };
    case 'exit': {
      if (outcome.signal !== null) return { error: `${file} killed by signal ${outcome.signal}`, kind: 'output' };
      if (outcome.code === 0) return undefined;
      const text = oneLine(outcome.stderr) || oneLine(outcome.stdout);
      if (text !== '' && HOST_FAILURES.some((re) => re.test(outcome.stderr) || re.test(outcome.stdout))) {
        return { error: text, kind: 'host' };
      }
      const status = `${file} exited with status ${outcome.code ?? '?'}`;
      return { error: text === '' ? status : `${status}: ${text}`, kind: 'output' };
    }
  }
}

function spawnErrorText(file: string, code: string, message: string): string {
  if (code === 'ENOENT') return `${file} not found in PATH`;
  if (code === 'EACCES') return `${file}: permission denied`;
  return `cannot run ${file}: ${message}`;
}

const MAX_ERROR_CHARS = 500;

/** Output lines joined by spaces, trimmed and bounded: errors are shown on one line. */
function oneLine(text: string): string {
  const joined = text.split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ');
  return joined.length > MAX_ERROR_CHARS ? `${joined.slice(0, MAX_ERROR_CHARS)}…` : joined;
}

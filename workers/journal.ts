/**
 * The last journal lines of units that are not ok (journal_lines > 0).
 * Runs `journalctl --unit=<unit> -n N --no-pager -o short-iso -q` per unit,
 * with `sudo -n` for a sudo target, never through a shell, all within the
 * check job's own deadline.
 */
import type { CheckResult } from '../src/types.js';
import type { UnitJob } from '../src/checks/jobs.js';
import type { RunOutcome, RunTimedOptions } from './exec.js';
import { formatSeconds } from '../src/checks/result.js';

/** How to run a program (runTimed, or a stand-in in tests). */
export type JournalRunner = (file: string, args: readonly string[], opts: RunTimedOptions) => Promise<RunOutcome>;

/** Longest journal line kept; the rest is cut with an ellipsis. */
export const MAX_LINE_CHARS = 1000;
/** journalctl calls run at once. */
const CONCURRENCY = 4;
/** Below this much time left, journalctl is not started. */
const MIN_TIME_MS = 50;

/**
 * The command for one unit. `--unit=` keeps the name in the option's own
 * argument (it is validated already); `-q` drops journalctl's notes such as
 * "-- No entries --", so only log lines remain.
 */
export function journalCommand(service: string, lines: number, useSudo: boolean): { file: string; args: string[] } {
  const args = [`--unit=${service}`, '-n', String(lines), '--no-pager', '-o', 'short-iso', '-q'];
  return useSudo ? { file: 'sudo', args: ['-n', 'journalctl', ...args] } : { file: 'journalctl', args };
}

/** Non-empty lines, the last `max`, each cut at MAX_LINE_CHARS. */
export function journalLines(stdout: string, max: number): string[] {
  const lines = stdout.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  return lines.slice(-max).map((l) => (l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS - 1)}…` : l));
}

/** The lines, or why there are none. */
export type JournalOutcome = { lines: string[] } | { error: string };

/** Reads one unit's journal; never rejects. */
export async function readJournal(run: JournalRunner, unit: UnitJob, lines: number, opts: RunTimedOptions): Promise<JournalOutcome> {
  const { file, args } = journalCommand(unit.service, lines, unit.use_sudo);
  const out = await run(file, args, opts);
  switch (out.kind) {
    case 'spawn-error':
      return { error: out.code === 'ENOENT' ? `${file} not found in PATH` : `cannot run ${file}: ${out.message}` };
    case 'timeout':
      return { error: `journalctl timed out after ${formatSeconds(opts.timeoutMs)}` };
    case 'exit': {
      const got = journalLines(out.stdout, lines);
      if (out.code === 0 || got.length > 0) return { lines: got };
      const why = out.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ').slice(0, 500);
      const status = out.signal !== null ? `killed by signal ${out.signal}` : `exited with status ${out.code ?? '?'}`;
      return { error: `${file} ${status}${why === '' ? '' : `: ${why}`}` };
    }
  }
}

/**
 * The results with `journal` (or `journal_error`) added to every one that is
 * not ok. Units are read at most CONCURRENCY at once, and none is started
 * once fewer than MIN_TIME_MS remain before `deadline` (on `clock`'s scale).
 */
export async function addJournals(
  results: CheckResult[],
  units: readonly UnitJob[],
  lines: number,
  deps: { run: JournalRunner; deadline: number; clock: () => number; runOpts: Omit<RunTimedOptions, 'timeoutMs'> },
): Promise<CheckResult[]> {
  const wanted = new Map<string, UnitJob>();
  results.forEach((r, i) => {
    const u = units[i];
    if (!r.ok && u !== undefined && !wanted.has(u.service)) wanted.set(u.service, u);
  });
  const found = new Map<string, JournalOutcome>();
  const queue = [...wanted.values()];
  const worker = async (): Promise<void> => {
    for (let unit = queue.shift(); unit !== undefined; unit = queue.shift()) {
      const left = deps.deadline - deps.clock();
      found.set(unit.service, left < MIN_TIME_MS
        ? { error: 'no time left in the check deadline for journalctl' }
        : await readJournal(deps.run, unit, lines, { ...deps.runOpts, timeoutMs: Math.floor(left) }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  return results.map((r, i) => {
    const got = units[i] === undefined ? undefined : found.get(units[i]!.service);
    if (r.ok || got === undefined) return r;
    return 'lines' in got ? { ...r, journal: got.lines } : { ...r, journal_error: got.error };
  });
}

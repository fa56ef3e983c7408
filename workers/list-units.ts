/**
 * The cheap half of a sweep: one `systemctl list-units` call reads the load,
 * active and sub state of a whole batch (systemd's ListUnitsByPatterns, a few
 * fields per unit) instead of every property of every unit (`show`, GetAll).
 * It only knows units systemd has loaded under that very name; the caller
 * decides what to do with the rest (see src/checks/incremental.ts).
 */
import type { ListStatesJob, ListStatesResult, UnitState } from '../src/checks/jobs.js';
import { runTimed } from './exec.js';
import { describeFailure, type CheckUnitsDeps } from './systemd.js';

/**
 * The program and arguments that list `services`. With `useSudo`, `sudo -n`
 * as for `show`. Names follow `--`; they are read as glob patterns, so the
 * caller passes only names `listable` accepts (src/checks/listable.ts).
 */
export function listCommand(services: readonly string[], useSudo: boolean): { file: string; args: string[] } {
  const systemctl = ['list-units', '--all', '--plain', '--no-legend', '--full', '--no-pager', '--', ...services];
  return useSudo ? { file: 'sudo', args: ['-n', 'systemctl', ...systemctl] } : { file: 'systemctl', args: systemctl };
}

/**
 * Rows of `list-units --plain --no-legend --full`: "UNIT LOAD ACTIVE SUB [JOB] DESCRIPTION".
 * Only the first four columns are read (a unit name has no spaces); lines
 * with fewer are ignored. The first row of a name wins.
 */
export function parseListOutput(stdout: string): Map<string, UnitState> {
  const rows = new Map<string, UnitState>();
  for (const line of stdout.split('\n')) {
    const [unit, load, active, sub] = line.trim().split(/\s+/, 4);
    if (unit === undefined || sub === undefined || unit === '' || rows.has(unit)) continue;
    rows.set(unit, { load: load ?? '', active: active ?? '', sub });
  }
  return rows;
}

/**
 * States of `job.services`, one per service in order: the row list-units
 * printed for it, or null when it printed none (the unit is not loaded, or the
 * name is an alias). Never rejects; when the call fails, `error`/`kind` say why.
 */
export async function listStates(job: ListStatesJob, deps: CheckUnitsDeps = {}): Promise<ListStatesResult> {
  const run = deps.run ?? runTimed;
  if (job.services.length === 0) return { states: [], duration_ms: 0 };
  const { file, args } = listCommand(job.services, job.use_sudo);
  const outcome = await run(file, args, {
    timeoutMs: job.timeout_ms,
    ...(deps.env !== undefined ? { env: deps.env } : {}),
    ...(deps.groups !== undefined ? { groups: deps.groups } : {}),
  });
  const failure = describeFailure(outcome, file, job.timeout_ms);
  if (failure !== undefined || outcome.kind !== 'exit') return { error: failure?.error ?? 'no output', kind: failure?.kind ?? 'output' };
  const rows = parseListOutput(outcome.stdout);
  return { states: job.services.map((s) => rows.get(s) ?? null), duration_ms: outcome.durationMs };
}

/**
 * Pure helpers for `systemctl show`: the command line, parsing its output,
 * and mapping one unit's properties to a CheckResult the way the original's
 * `systemctl is-active` check reads.
 */
import type { CheckResult } from '../src/types.js';
import type { UnitJob } from '../src/checks/jobs.js';

/** The properties we ask for; systemd prints them in its own order, not this one. */
export const SHOW_PROPERTIES = ['Id', 'LoadState', 'ActiveState', 'SubState', 'Result', 'StateChangeTimestamp', 'NRestarts'] as const;

/** Property name → value for one unit, as `systemctl show` printed it. */
export type UnitProperties = ReadonlyMap<string, string>;

/**
 * The program and arguments that show `services` (in that order).
 * With `useSudo`, `sudo -n` so a password prompt fails at once instead of waiting.
 * Unit names always follow `--`, so a name can never be read as an option.
 */
export function showCommand(services: readonly string[], useSudo: boolean): { file: string; args: string[] } {
  const systemctl = ['show', '--no-pager', '-p', SHOW_PROPERTIES.join(','), '--', ...services];
  return useSudo ? { file: 'sudo', args: ['-n', 'systemctl', ...systemctl] } : { file: 'systemctl', args: systemctl };
}

/**
 * Splits `systemctl show` output into one property map per unit (blocks are
 * separated by blank lines). Lines without `=` are ignored.
 */
export function parseShowOutput(stdout: string): UnitProperties[] {
  const blocks: Map<string, string>[] = [];
  let current: Map<string, string> | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    if (current === undefined) {
      current = new Map();
      blocks.push(current);
    }
    current.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return blocks;
}

/**
 * Pairs each requested service with its block. systemctl prints blocks in the
 * order asked, but an alias shows under its target's Id, so order is the rule
 * and Id only a check: a block whose Id names a *different* requested service
 * means the order assumption broke. Returns a reason string when the output
 * cannot be trusted.
 */
export function matchBlocks(services: readonly string[], blocks: readonly UnitProperties[]): UnitProperties[] | string {
  if (blocks.length !== services.length) {
    return `unexpected systemctl output: ${blocks.length} unit block(s) for ${services.length} unit(s)`;
  }
  const requested = new Set(services);
  for (const [i, block] of blocks.entries()) {
    const id = block.get('Id');
    if (id !== undefined && id !== services[i] && requested.has(id)) {
      return `unexpected systemctl output: block ${i + 1} is ${id}, expected ${services[i] ?? '?'}`;
    }
    if ((block.get('ActiveState') ?? '').trim() === '') {
      return `unexpected systemctl output: no ActiveState for ${services[i] ?? '?'}`;
    }
  }
  return [...blocks];
}

/**
 * One unit's result. `state` is ActiveState as `is-active` prints it, `ok`
 * only for "active", and `error` is the state text otherwise (the original put
 * `is-active`'s output there). A nonexistent unit reads "inactive", as
 * `is-active` says; its `result`/`sub_state` still come from systemd.
 */
export function unitResult(unit: UnitJob, props: UnitProperties, durationMs: number): CheckResult {
  const state = (props.get('ActiveState') ?? '').trim() || 'unknown';
  const ok = state === 'active';
  const out: CheckResult = { id: unit.id, name: unit.name, ok, state };
  if (!ok) out.error = state;
  const sub = props.get('SubState')?.trim();
  if (sub) out.sub_state = sub;
  const result = props.get('Result')?.trim();
  if (result) out.result = result;
  const since = parseSystemdTimestamp(props.get('StateChangeTimestamp') ?? '');
  if (since !== undefined) out.since = since;
  const restarts = parseCount(props.get('NRestarts'));
  if (restarts !== undefined) out.restarts = restarts;
  out.duration_ms = durationMs;
  return out;
}

const TIMESTAMP = /(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:\s*(\S+))?\s*$/;

/**
 * systemd's "Sat 2026-11-28 10:35:47 UTC" (optionally with microseconds) as
 * RFC 3339 UTC. The weekday is ignored (it is localised). Accepts UTC, GMT, Z
 * and numeric offsets (+0100, +01:00); a bare time is taken as UTC because we
 * run systemctl with TZ=UTC. Anything else — "", "n/a", an unknown zone
 * abbreviation — gives undefined rather than a wrong time.
 */
export function parseSystemdTimestamp(text: string): string | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const offsetMin = zoneOffsetMinutes(zone);
  if (offsetMin === undefined) return undefined;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((frac ?? '0').padEnd(3, '0').slice(0, 3)));
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms - offsetMin * 60_000).toISOString();
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || /^(UTC|GMT|Z|UCT)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (m === null) return undefined;
  const [, sign, hh, mm] = m;
  return (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
}

function parseCount(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

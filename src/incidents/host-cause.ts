/**
 * The rule that decides when a sweep's failures share one cause outside the
 * units: the host itself (no systemctl, no systemd, no bus, sudo refusing,
 * systemd not answering at all). A pure function of one sweep's check
 * results, read from the error text the checks stored; no I/O, no clock.
 *
 * The rule, in order:
 * 1. Only results that are not ok and whose state is unknown (systemd gave no
 *    answer about the unit) can have a host cause: a unit with a real state
 *    was answered, whatever that state is.
 * 2. "Certain" causes: an error that no single unit can produce (systemctl
 *    or sudo missing, not booted with systemd, the bus unreachable, sudo
 *    refusing) puts the unit under that cause, however few units show it.
 * 3. "Silent" causes: timeouts and check workers failing. One unit can hang
 *    on its own, so these count as the host's only when at least
 *    `minSilentUnits` (default 2) results show them AND no result of the sweep
 *    got an answer from systemd (every result is unknown): systemd answered
 *    nothing this sweep.
 * Every other failing result is the unit's own.
 */
import type { CheckResult } from '../types.js';

/** A host-level cause; also the `subject` of its incident (kind `host`). */
export type HostCause = 'systemctl-missing' | 'sudo-failing' | 'no-systemd' | 'bus-unreachable' | 'systemd-not-answering' | 'check-workers-failing';

/** Every cause, in the order they are tested (the first that matches an error wins). */
export const HOST_CAUSES: readonly HostCause[] = ['no-systemd', 'systemctl-missing', 'sudo-failing', 'bus-unreachable', 'systemd-not-answering', 'check-workers-failing'];

/** How a cause is named to people (incident name, notification title). */
export const HOST_CAUSE_NAMES: Readonly<Record<HostCause, string>> = {
  'no-systemd': 'systemd is not running (not booted with systemd)',
  'systemctl-missing': 'systemctl cannot be run',
  'sudo-failing': 'sudo refuses to run systemctl',
  'bus-unreachable': 'systemd bus unreachable',
  'systemd-not-answering': 'systemd not answering (checks timed out)',
  'check-workers-failing': 'check workers failing',
};

const PATTERNS: Readonly<Record<HostCause, RegExp>> = {
  'no-systemd': /has not been booted with systemd/i,
  // The worker's spawn texts ("systemctl not found in PATH", ...) and sudo's own wording.
  'systemctl-missing': /\bsystemctl not found in PATH|\bsystemctl: permission denied|cannot run systemctl\b|sudo: systemctl: command not found/i,
  'sudo-failing': /\bsudo not found in PATH|\bsudo: permission denied|cannot run sudo\b|(^|\s)sudo: /i,
  'bus-unreachable': /Failed to connect to (the )?(system )?bus|Failed to connect to system scope bus/i,
  'systemd-not-answering': /timed out/i,
  'check-workers-failing': /^check worker failed|check pool is closed/i,
};

const SILENT: ReadonlySet<HostCause> = new Set(['systemd-not-answering', 'check-workers-failing']);

/** A unit an incident lists. */
export interface AffectedUnit {
  id: string;
  name: string;
}

/** One cause found in a sweep, with the units it hid. */
export interface HostCauseFinding {
  cause: HostCause;
  /** The first such error of the sweep, as stored. */
  error: string;
  /** In the order of the sweep's results. */
  units: AffectedUnit[];
}

export interface HostCauseOptions {
  /** Results with a silent cause (timeout, worker failure) needed before it counts as the host's (default 2, at least 1). */
  minSilentUnits?: number;
}

/** The cause an error text names, or undefined when it is a unit's own. */
export function causeOfError(error: string): HostCause | undefined {
  return HOST_CAUSES.find((c) => PATTERNS[c].test(error));
}

const unanswered = (c: CheckResult): boolean => !c.ok && (c.state === undefined || c.state === '' || c.state === 'unknown');

/** The host causes of one sweep (see the module comment), each with its units; empty when every failure is a unit's own. */
export function findHostCauses(checks: readonly CheckResult[], opts: HostCauseOptions = {}): HostCauseFinding[] {
  const minSilent = Math.max(1, Math.floor(opts.minSilentUnits ?? 2));
  const found = new Map<HostCause, HostCauseFinding>();
  for (const c of checks) {
    if (!unanswered(c) || c.error === undefined) continue;
    const cause = causeOfError(c.error);
    if (cause === undefined) continue;
    let f = found.get(cause);
    if (f === undefined) {
      f = { cause, error: c.error, units: [] };
      found.set(cause, f);
    }
    f.units.push({ id: c.id, name: c.name !== '' ? c.name : c.id });
  }
  const systemdSilent = checks.length > 0 && checks.every(unanswered);
  return HOST_CAUSES.flatMap((cause) => {
    const f = found.get(cause);
    if (f === undefined) return [];
    if (SILENT.has(cause) && (!systemdSilent || f.units.length < minSilent)) return [];
    return [f];
  });
}

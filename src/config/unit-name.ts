/**
 * systemd unit names, checked before they ever reach `systemctl`.
 *
 * The rules follow systemd's unit_name_is_valid() (src/basic/unit-name.c) and
 * systemctl's name mangling, made stricter where systemd's leniency would let a
 * config value be mistaken for something else: `\` only inside `\xNN` escapes, at
 * most one `@`, no template without an instance (there is nothing to check).
 */

/** Suffixes systemd knows; anything else gets ".service" appended, as systemctl does. */
export const UNIT_TYPES = [
  'service', 'socket', 'target', 'device', 'mount', 'automount',
  'swap', 'timer', 'path', 'slice', 'scope',
] as const;

/** systemd's UNIT_NAME_MAX is 256 including the terminating NUL. */
export const UNIT_NAME_MAX_LENGTH = 255;

export type UnitNameResult =
  | { ok: true; unit: string }
  | { ok: false; reason: string };

const NAMED_CHARS: Readonly<Record<string, string>> = {
  ' ': 'a space',
  '\n': 'a newline',
  '\r': 'a carriage return',
  '\t': 'a tab',
  '\0': 'a NUL byte',
};

const ALLOWED = /^[A-Za-z0-9:_.@\\-]$/;
const ESCAPE = /^\\x[0-9A-Fa-f]{2}/;

/**
 * Checks `raw` as a systemd unit name and returns the name systemctl would use:
 * ".service" is appended when the name has no known unit-type suffix
 * ("nginx" -> "nginx.service", "foo.bar" -> "foo.bar.service").
 * Never throws; a rejected name comes with a short reason such as
 * `contains ";"`, `starts with "-"` or `template without an instance`.
 */
export function normalizeUnitName(raw: string): UnitNameResult {
  const bad = firstBadCharacter(raw);
  if (bad !== undefined) return { ok: false, reason: bad };
  if (raw === '') return { ok: false, reason: 'is empty' };
  // A leading "-" would make systemctl read the name as an option.
  if (raw.startsWith('-')) return { ok: false, reason: 'starts with "-"' };
  if (raw === '.' || raw === '..') return { ok: false, reason: `is "${raw}"` };

  const unit = hasKnownSuffix(raw) ? raw : `${raw}.service`;
  if (unit.length > UNIT_NAME_MAX_LENGTH) {
    return { ok: false, reason: `longer than ${UNIT_NAME_MAX_LENGTH} characters` };
  }
  const structural = structureProblem(unit);
  return structural === undefined ? { ok: true, unit } : { ok: false, reason: structural };
}

/** Scans left to right so the reason names the first character a user would have to fix. */
function firstBadCharacter(raw: string): string | undefined {
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charAt(i);
    const code = raw.charCodeAt(i);
    if (code > 0x7e) return code > 0x7f ? 'contains a non-ASCII character' : 'contains a control character';
    const named = NAMED_CHARS[ch];
    if (named !== undefined) return `contains ${named}`;
    if (code < 0x20) return 'contains a control character';
    if (ch === '\\') {
      if (!ESCAPE.test(raw.slice(i))) return 'contains "\\" that is not part of a \\xNN escape';
      i += 3;
      continue;
    }
    if (!ALLOWED.test(ch)) return `contains ${JSON.stringify(ch)}`;
  }
  return undefined;
}

function hasKnownSuffix(name: string): boolean {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return false;
  return (UNIT_TYPES as readonly string[]).includes(name.slice(dot + 1));
}

/** `unit` already has a known suffix and only allowed characters. */
function structureProblem(unit: string): string | undefined {
  const dot = unit.lastIndexOf('.');
  const suffix = unit.slice(dot);
  const stem = unit.slice(0, dot);
  const at = stem.indexOf('@');
  if (at < 0) return stem === '' ? `nothing before "${suffix}"` : undefined;
  if (stem.indexOf('@', at + 1) >= 0) return 'contains more than one "@"';
  if (at === 0) return 'nothing before "@"';
  if (at === stem.length - 1) return 'template without an instance';
  return undefined;
}

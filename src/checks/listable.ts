/**
 * Which unit names `systemctl list-units` can be asked about. Pure: used by
 * the worker that runs list-units and by the main thread that plans a sweep.
 */

/**
 * True for a name list-units matches only as itself. list-units reads its
 * arguments as glob patterns, so a name with `*`, `?` or `[` would match
 * others, and a `\` (part of systemd's \xNN escapes) would be read as a glob
 * escape and match nothing; such units are always read with `show`.
 */
export function listable(service: string): boolean {
  return !/[*?[\\]/.test(service);
}

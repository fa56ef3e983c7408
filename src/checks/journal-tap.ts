/**
 * Keeps journal lines out of the history: the checker asks the workers for
 * them (journal_lines > 0), this takes them off the results before the sample
 * is stored, and keeps the newest sample's lines for /api/node/status.
 */
import type { TargetConfig } from '../config/types.js';
import type { CheckResult, StatusEntry } from '../types.js';
import type { CheckTargetsOptions } from './pool.js';
import type { TargetChecker } from './sweep.js';

/** The journal part of one check. */
export type JournalDetail = Pick<CheckResult, 'journal' | 'journal_error'>;

export interface JournalTap extends TargetChecker {
  /** The newest sweep's journal lines by target id (only units that were not ok). */
  latest(): ReadonlyMap<string, JournalDetail>;
}

/**
 * Wraps `checker` so every sweep asks for `lines` journal lines of units that
 * are not ok, and answers results without them (what the history stores).
 */
export function createJournalTap(
  checker: { checkTargets(targets: readonly TargetConfig[], opts?: CheckTargetsOptions): Promise<CheckResult[]> },
  lines: number,
): JournalTap {
  let latest: ReadonlyMap<string, JournalDetail> = new Map();
  return {
    async checkTargets(targets) {
      const results = await checker.checkTargets(targets, lines > 0 ? { journalLines: lines } : {});
      const found = new Map<string, JournalDetail>();
      const stripped = results.map((r) => {
        const { journal, journal_error, ...rest } = r;
        if (journal !== undefined) found.set(r.id, { journal });
        else if (journal_error !== undefined) found.set(r.id, { journal_error });
        return rest;
      });
      latest = found;
      return stripped;
    },
    latest: () => latest,
  };
}

/** The entry with each not-ok check's journal added (the entry itself is not changed). */
export function withJournal(entry: StatusEntry, journal: ReadonlyMap<string, JournalDetail>): StatusEntry {
  if (journal.size === 0) return entry;
  return {
    ...entry,
    checks: entry.checks.map((c) => {
      const j = c.ok ? undefined : journal.get(c.id);
      return j === undefined ? c : { ...c, ...j };
    }),
  };
}

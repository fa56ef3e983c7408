import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckBatchJob, UnitJob } from '../../src/checks/jobs.js';
import { checkUnits } from '../../workers/systemd.js';
import { journalCommand, journalLines, MAX_LINE_CHARS } from '../../workers/journal.js';
import { makeFakeBin, type FakeBin } from './fake-bin.js';

const FAKE_JOURNALCTL = fileURLToPath(new URL('../../../test/fixtures/fake-journalctl', import.meta.url));

const bins: FakeBin[] = [];
after(() => Promise.all(bins.map((b) => b.cleanup())));
async function fakeBin(withJournal = true): Promise<{ bin: FakeBin; argsFile: string; env: NodeJS.ProcessEnv }> {
  const bin = await makeFakeBin();
  bins.push(bin);
  if (withJournal) await symlink(FAKE_JOURNALCTL, path.join(bin.dir, 'journalctl'));
  const argsFile = path.join(bin.dir, 'journal-args');
  // Without the fake, PATH holds the fake dir only, so no real journalctl can be found either.
  return { bin, argsFile, env: bin.env({ FAKE_JOURNALCTL_ARGS: argsFile }, !withJournal) };
}

const unit = (service: string): UnitJob => ({ id: service.replace(/\.service$/, ''), name: service, service, use_sudo: false });
const job = (services: string[], extra: Partial<CheckBatchJob> = {}): CheckBatchJob => ({ units: services.map(unit), use_sudo: false, timeout_ms: 10_000, ...extra });

/** The argument lists journalctl was called with. */
function calls(argsFile: string): string[][] {
  if (!existsSync(argsFile)) return [];
  return readFileSync(argsFile, 'utf8').split('\n\n').filter((b) => b.trim() !== '').map((b) => b.split('\n').filter((l) => l !== ''));
}

test('journal_lines > 0: a failed unit gets its last N journal lines; an active one gets none and costs no call', async () => {
  const { argsFile, env } = await fakeBin();
  const r = await checkUnits(job(['ok.service', 'bad.service', 'stopped.service'], { journal_lines: 2 }), { env });
  const [ok, bad, stopped] = r.results;
  assert.equal(ok?.ok, true);
  assert.ok(!('journal' in (ok ?? {})) && !('journal_error' in (ok ?? {})));
  assert.deepEqual(bad?.journal, [
    '2026-11-28T10:36:01+0000 host bad[41]: fatal: cannot bind',
    "2026-11-28T10:36:02+0000 host systemd[1]: bad.service: Failed with result 'exit-code'.",
  ], JSON.stringify(bad));
  assert.equal(stopped?.journal?.length, 2);
  assert.equal(bad?.state, 'failed', 'the check itself is unchanged');
  assert.deepEqual(
    calls(argsFile).sort(),
    [
      ['--unit=bad.service', '-n', '2', '--no-pager', '-o', 'short-iso', '-q'],
      ['--unit=stopped.service', '-n', '2', '--no-pager', '-o', 'short-iso', '-q'],
    ],
  );
});

test('journal_lines absent (the default): journalctl is never run', async () => {
  const { argsFile, env } = await fakeBin();
  const r = await checkUnits(job(['bad.service']), { env });
  assert.equal(r.results[0]?.journal, undefined);
  assert.deepEqual(calls(argsFile), []);
});

test('text is passed through as data, not interpreted', async () => {
  const { env } = await fakeBin();
  const r = await checkUnits(job(['bad.service'], { journal_lines: 5 }), { env });
  assert.ok(r.results[0]?.journal?.includes('2026-11-28T10:36:00+0000 host bad[41]: <b>bad</b> value & "quote"'));
});

test('a journal that cannot be read is a journal_error, and the check result stands', async () => {
  const { env } = await fakeBin();
  const r = await checkUnits(job(['nojournal.service', 'quiet.service'], { journal_lines: 5 }), { env });
  const [denied, quiet] = r.results;
  assert.equal(denied?.state, 'inactive');
  assert.equal(denied?.journal_error, 'journalctl exited with status 1: No journal files were opened due to insufficient permissions.');
  assert.deepEqual(quiet?.journal, [], 'no entries is an empty list, not an error');

  const none = await fakeBin(false);
  const missing = await checkUnits(job(['bad.service'], { journal_lines: 5 }), { env: none.env });
  assert.equal(missing.results[0]?.journal_error, 'journalctl not found in PATH');
});

test('a hung journalctl is cut at the check deadline; the result still arrives', { timeout: 20_000 }, async () => {
  const { env } = await fakeBin();
  const r = await checkUnits(job(['slow.service'], { journal_lines: 5, timeout_ms: 1_500 }), { env });
  assert.equal(r.results[0]?.state, 'inactive');
  assert.match(r.results[0]?.journal_error ?? '', /^journalctl timed out after /);
});

test('the command: no shell, the unit inside --unit=, sudo -n for a sudo target', () => {
  assert.deepEqual(journalCommand('-x.service', 3, false), { file: 'journalctl', args: ['--unit=-x.service', '-n', '3', '--no-pager', '-o', 'short-iso', '-q'] });
  assert.deepEqual(journalCommand('a.service', 3, true).args.slice(0, 3), ['-n', 'journalctl', '--unit=a.service']);
  assert.equal(journalCommand('a.service', 3, true).file, 'sudo');
});

test('journalLines keeps the last N non-empty lines and cuts very long ones', () => {
  assert.deepEqual(journalLines('a\r\n\nb\nc\n', 2), ['b', 'c']);
  const long = journalLines('x'.repeat(5000), 1)[0] ?? '';
  assert.equal([...long].length, MAX_LINE_CHARS);
  assert.ok(long.endsWith('…'));
});

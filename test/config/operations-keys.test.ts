import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/parse.js';
import { formatIssue } from '../../src/config/types.js';

const HOST = { hostname: 'vm' };
const base = 'targets:\n  - id: web\n    service: nginx\n';

describe('parseConfig: metrics_public, badges_public, journal_lines (ours)', () => {
  it('take their defaults in the schema when not set: protected, protected, off', () => {
    const r = parseConfig(base, HOST);
    assert.ok(r.ok);
    assert.deepEqual([r.config.metrics_public, r.config.badges_public, r.config.journal_lines], [false, false, 0]);
  });

  it('read booleans and a line count', () => {
    const r = parseConfig(`${base}metrics_public: true\nbadges_public: yes\njournal_lines: 20\n`, HOST);
    assert.ok(r.ok);
    assert.equal(r.config.metrics_public, true);
    assert.equal(r.config.badges_public, true);
    assert.equal(r.config.journal_lines, 20);
  });

  it('reject wrong values with the key and line', () => {
    const r = parseConfig(`${base}metrics_public: sometimes\njournal_lines: 5000\n`, HOST);
    assert.ok(!r.ok);
    assert.deepEqual(r.issues.map(formatIssue), [
      'metrics_public: expected true or false, got string "sometimes" (line 4, column 17)',
      'journal_lines: must be at most 200, got 5000 (line 5, column 16)',
    ]);
  });
});

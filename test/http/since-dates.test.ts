import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError } from '../../src/http/errors.js';
import { parseSince } from '../../src/http/query.js';

describe('since: impossible dates are refused', () => {
  it('refuses days, hours, minutes, seconds and offsets that do not exist', () => {
    for (const s of [
      '2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '2025-04-31T12:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z',
      '2026-01-00T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z', '2026-01-01T23:59:60Z', '2026-01-01T00:00:00+24:00',
      '2026-01-01T00:00:00+01:60', '0000-01-01T00:00:00Z',
    ]) {
      assert.throws(() => parseSince(s), (e: unknown) => e instanceof HttpError && e.status === 400 && /^since: expected an RFC 3339 timestamp/.test(e.message), s);
    }
  });
  it('takes real ones: leap day of a leap year, offsets, fractions', () => {
    assert.equal(parseSince('2028-02-29T00:00:00Z'), Date.parse('2028-02-29T00:00:00Z'));
    assert.equal(parseSince('2026-12-31T23:59:59.999999999Z'), Date.parse('2026-12-31T23:59:59.999Z'));
    assert.equal(parseSince('2026-06-01T10:00:00+02:00'), Date.parse('2026-06-01T08:00:00Z'));
    assert.equal(parseSince(undefined), undefined);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayKey, isoMs, isoSeconds, parseDayKey, parseTime } from '../../src/history/time.js';

test('isoMs prints exactly what Date#toISOString prints', () => {
  const samples = [0, 1.7, 951782400000, 1795862147001, 253402300799999, 253402300800000, -1, -62135596800000, Date.parse('0999-03-01T00:00:00Z')];
  for (let x = 0; x < 20000; x++) samples.push(Math.floor(x * 12_653_971_123.7) % 253402300800000);
  for (const ms of samples) assert.equal(isoMs(ms), new Date(ms).toISOString(), String(ms));
});

test("isoSeconds truncates to whole seconds as Go's RFC 3339 formatting", () => {
  assert.equal(isoSeconds(Date.parse('2026-11-28T10:37:49.999Z')), '2026-11-28T10:37:49Z');
});

test('parseTime: RFC 3339 with any fraction or offset; garbage and Go zero time are NaN', () => {
  assert.equal(parseTime('2026-11-28T10:35:47.001461144Z'), Date.parse('2026-11-28T10:35:47.001Z'));
  assert.equal(parseTime('2026-11-28T12:35:47+02:00'), Date.parse('2026-11-28T10:35:47Z'));
  for (const bad of ['', 'yesterday', '0001-01-01T00:00:00Z', 42, null]) assert.ok(Number.isNaN(parseTime(bad)));
});

test('day keys are UTC days', () => {
  assert.equal(dayKey(Date.parse('2026-11-28T23:59:59.999Z')), '2026-11-28');
  assert.equal(parseDayKey('2026-11-28'), Date.parse('2026-11-28T00:00:00Z'));
  assert.ok(Number.isNaN(parseDayKey('2026-02-30')));
});

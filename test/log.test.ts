import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanLogText, createLogger, MAX_LOG_MESSAGE_CHARS } from '../src/log.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');

function logged(message: string): string[] {
  const lines: string[] = [];
  createLogger({ write: (l) => lines.push(l), now: () => NOW }).warn(message);
  return lines;
}

describe('log cleaner: one message is one line, whatever a peer puts in it', () => {
  it('escapes every character that ends or forges a line: C0, DEL, C1 (NEL, CSI), U+2028, U+2029', () => {
    for (const [c, shown] of [
      ['\n', '\\n'], ['\r', '\\x0d'], ['\u0000', '\\x00'], ['\u001b', '\\x1b'], ['\u007f', '\\x7f'],
      ['\u0085', '\\x85'], ['\u009b', '\\x9b'], ['\u0080', '\\x80'], ['\u009f', '\\x9f'],
      ['\u2028', '\\u2028'], ['\u2029', '\\u2029'],
    ] as const) {
      const lines = logged(`peer x: redirect to http://a/${c}2026/12/04 12:00:00 forged not followed`);
      assert.equal(lines.length, 1);
      assert.equal(lines[0], `2026/12/04 12:00:00 WARN peer x: redirect to http://a/${shown}2026/12/04 12:00:00 forged not followed`, JSON.stringify(c));
    }
  });
  it('escapes characters that reorder or hide text: bidi overrides, zero-width, BOM, lone surrogates', () => {
    assert.equal(cleanLogText('a\u202eb\u2066c\u200bd\ufeffe\u061cf'), 'a\\u202eb\\u2066c\\u200bd\\ufeffe\\u061cf');
    assert.equal(cleanLogText('x\ud800y\udc00z'), 'x\\ud800y\\udc00z');
  });
  it('leaves printable text alone: accents, CJK, emoji, tabs escaped only as controls', () => {
    assert.equal(cleanLogText('Café 東京 😀 ok'), 'Café 東京 😀 ok');
    assert.equal(cleanLogText('a\tb'), 'a\\x09b');
  });
  it('cuts a message past 16 KiB with a marker (a backstop: callers bound what they quote)', () => {
    const [line] = logged('z'.repeat(MAX_LOG_MESSAGE_CHARS + 10));
    assert.ok(line!.endsWith(`${'z'.repeat(10)}…(10 more)`));
    assert.ok(line!.length < MAX_LOG_MESSAGE_CHARS + 64);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchBlocks, parseShowOutput, parseSystemdTimestamp, showCommand } from '../../workers/systemd-show.js';

test('the command puts units after `--`, with sudo -n when asked', () => {
  const props = 'Id,LoadState,ActiveState,SubState,Result,StateChangeTimestamp,NRestarts';
  assert.deepEqual(showCommand(['-h.service', 'b.service'], false), {
    file: 'systemctl',
    args: ['show', '--no-pager', '-p', props, '--', '-h.service', 'b.service'],
  });
  assert.deepEqual(showCommand(['a.service'], true), {
    file: 'sudo',
    args: ['-n', 'systemctl', 'show', '--no-pager', '-p', props, '--', 'a.service'],
  });
});

test('parses blocks separated by blank lines, keeping "=" inside values', () => {
  const blocks = parseShowOutput('Id=a.service\nActiveState=active\nX=a=b\n\n\nId=b.service\nActiveState=failed\n');
  assert.deepEqual(blocks.map((b) => Object.fromEntries(b)), [
    { Id: 'a.service', ActiveState: 'active', X: 'a=b' },
    { Id: 'b.service', ActiveState: 'failed' },
  ]);
});

test('a block carrying another requested unit\'s Id means the order is off', () => {
  const blocks = parseShowOutput('Id=b.service\nActiveState=active\n\nId=a.service\nActiveState=active\n');
  assert.match(String(matchBlocks(['a.service', 'b.service'], blocks)), /block 1 is b\.service, expected a\.service/);
});

test('a block without ActiveState is not trusted', () => {
  assert.match(String(matchBlocks(['a.service'], parseShowOutput('Id=a.service\n'))), /no ActiveState/);
});

test('systemd timestamps become RFC 3339 UTC; empty and n/a are omitted', () => {
  assert.equal(parseSystemdTimestamp('Sat 2026-11-28 10:35:47 UTC'), '2026-11-28T10:35:47.000Z');
  assert.equal(parseSystemdTimestamp('Sa 2026-11-28 10:35:47.123456 UTC'), '2026-11-28T10:35:47.123Z');
  assert.equal(parseSystemdTimestamp('Sat 2026-11-28 11:35:47 +0100'), '2026-11-28T10:35:47.000Z');
  assert.equal(parseSystemdTimestamp('Sat 2026-11-28 05:35:47 -05:00'), '2026-11-28T10:35:47.000Z');
  assert.equal(parseSystemdTimestamp(''), undefined);
  assert.equal(parseSystemdTimestamp('n/a'), undefined);
  // A zone abbreviation we cannot resolve gives no time rather than a wrong one.
  assert.equal(parseSystemdTimestamp('Sat 2026-11-28 11:35:47 CET'), undefined);
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeUnitName } from '../../src/config/unit-name.js';

function accepted(raw: string): string {
  const result = normalizeUnitName(raw);
  assert.ok(result.ok, `expected ${JSON.stringify(raw)} to be accepted, got: ${result.ok ? '' : result.reason}`);
  return result.unit;
}

function rejected(raw: string): string {
  const result = normalizeUnitName(raw);
  assert.ok(!result.ok, `expected ${JSON.stringify(raw)} to be rejected, got unit ${result.ok ? result.unit : ''}`);
  return result.reason;
}

describe('normalizeUnitName', () => {
  it('appends ".service" when there is no known unit type suffix, as systemctl does', () => {
    assert.equal(accepted('nginx'), 'nginx.service');
    assert.equal(accepted('foo.bar'), 'foo.bar.service');
    assert.equal(accepted('user@1000'), 'user@1000.service');
    assert.equal(accepted('nginx.SERVICE'), 'nginx.SERVICE.service', 'suffixes are case-sensitive in systemd');
  });

  it('keeps names that already carry a unit type', () => {
    for (const name of [
      'nginx.service',
      'getty@tty1.service',
      'systemd-fsck@dev-disk-by\\x2duuid-1234.service',
      'sys-devices.device',
      'user@1000.service',
      'dbus.socket',
      'multi-user.target',
      'home.mount',
      'proc-sys-fs-binfmt_misc.automount',
      'dev-sda2.swap',
      'apt-daily.timer',
      'cups.path',
      'user.slice',
      'session-1.scope',
      'a:b_c.service',
    ]) {
      assert.equal(accepted(name), name);
    }
  });

  it('accepts a name of exactly 255 characters after normalisation', () => {
    const stem = 'a'.repeat(255 - '.service'.length);
    assert.equal(accepted(stem).length, 255);
  });

  it('rejects hostile and malformed names with a precise reason', () => {
    const cases: Array<[string, string]> = [
      ['', 'is empty'],
      ['foo;bar', 'contains ";"'],
      ['no such unit!; $(id)', 'contains a space'],
      ['$(id)', 'contains "$"'],
      ['`id`.service', 'contains "`"'],
      ['foo|bar', 'contains "|"'],
      ['foo&&bar', 'contains "&"'],
      ['a>b', 'contains ">"'],
      ['nginx service', 'contains a space'],
      ['nginx\n', 'contains a newline'],
      ['nginx\tx', 'contains a tab'],
      ['nginx\r', 'contains a carriage return'],
      ['nginx\0', 'contains a NUL byte'],
      ['nginx\x1b[31m', 'contains a control character'],
      ['nginx\x7f', 'contains a control character'],
      ['-nginx', 'starts with "-"'],
      ['--help', 'starts with "-"'],
      ['-', 'starts with "-"'],
      ['ngin*', 'contains "*"'],
      ['ngin?.service', 'contains "?"'],
      ['ngin[x].service', 'contains "["'],
      ['a'.repeat(256), 'longer than 255 characters'],
      ['a'.repeat(248), 'longer than 255 characters'],
      ['nginx\u00e9.service', 'contains a non-ASCII character'],
      ['ngi\u200bnx', 'contains a non-ASCII character'],
      ['foo@.service', 'template without an instance'],
      ['foo@', 'template without an instance'],
      ['@foo.service', 'nothing before "@"'],
      ['a@b@c.service', 'contains more than one "@"'],
      ['.service', 'nothing before ".service"'],
      ['../x', 'contains "/"'],
      ['a/b', 'contains "/"'],
      ['/etc/passwd', 'contains "/"'],
      ['.', 'is "."'],
      ['..', 'is ".."'],
      ['foo\\bar', 'contains "\\" that is not part of a \\xNN escape'],
      ['foo\\x2', 'contains "\\" that is not part of a \\xNN escape'],
      ['foo\\xZZ.service', 'contains "\\" that is not part of a \\xNN escape'],
      ["it's", 'contains "\'"'],
      ['"quoted"', 'contains "\\""'],
      ['~root', 'contains "~"'],
      ['%h.service', 'contains "%"'],
    ];
    for (const [raw, reason] of cases) {
      assert.equal(rejected(raw), reason, `reason for ${JSON.stringify(raw)}`);
    }
  });

  it('names the first offending character', () => {
    assert.equal(rejected('a;b c'), 'contains ";"');
    assert.equal(rejected('a b;c'), 'contains a space');
  });
});

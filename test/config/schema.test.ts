import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDnsTarget } from '../../src/config/schema.js';
import { formatPath } from '../../src/config/parse.js';

describe('parseDnsTarget', () => {
  it('splits each accepted form into host and port, with 53 when no port is given', () => {
    assert.deepEqual(parseDnsTarget('1.1.1.1'), { ok: true, host: '1.1.1.1', port: 53 });
    assert.deepEqual(parseDnsTarget(' 1.1.1.1:5353 '), { ok: true, host: '1.1.1.1', port: 5353 });
    assert.deepEqual(parseDnsTarget('dns.example.com'), { ok: true, host: 'dns.example.com', port: 53 });
    assert.deepEqual(parseDnsTarget('[::1]:8053'), { ok: true, host: '::1', port: 8053 });
    assert.deepEqual(parseDnsTarget('[::1]'), { ok: true, host: '::1', port: 53 });
    assert.deepEqual(parseDnsTarget('2606:4700::1111'), { ok: true, host: '2606:4700::1111', port: 53 });
  });

  it('refuses what a TCP dial could not use', () => {
    for (const bad of ['', 'a b', 'host:0', 'host:65536', '[::1]:x', '[example.com]:53', 'a..b', 'x:1:y']) {
      assert.equal(parseDnsTarget(bad).ok, false, bad);
    }
  });
});

describe('formatPath', () => {
  it('writes paths as users would type them', () => {
    assert.equal(formatPath(['targets', 2, 'service']), 'targets[2].service');
    assert.equal(formatPath(['monitor_dns', 'interval_seconds']), 'monitor_dns.interval_seconds');
    assert.equal(formatPath(['targets', 0, 'my key']), 'targets[0]["my key"]');
    assert.equal(formatPath([]), '');
  });
});

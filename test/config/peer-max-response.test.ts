import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/parse.js';
import { formatIssue } from '../../src/config/types.js';

const HOST = { hostname: 'vm' };
const base = 'targets:\n  - id: web\n    service: nginx\n';

describe('parseConfig: peer_max_response_bytes (ours)', () => {
  it('is absent unless set, so the peer client uses its 8 MiB default', () => {
    const r = parseConfig(base, HOST);
    assert.ok(r.ok);
    assert.equal('peer_max_response_bytes' in r.config, false);
  });

  it('reads a byte count', () => {
    const r = parseConfig(`${base}peer_max_response_bytes: 33554432\n`, HOST);
    assert.ok(r.ok);
    assert.equal(r.config.peer_max_response_bytes, 32 * 1024 * 1024);
  });

  it('rejects sizes that would make every peer fail or the limit meaningless', () => {
    for (const [value, message] of [
      ['1000', 'peer_max_response_bytes: must be at least 65536, got 1000'],
      ['2147483648', 'peer_max_response_bytes: must be at most 1073741824, got 2147483648'],
      ['8.5', 'peer_max_response_bytes: expected a whole number, got 8.5'],
      ['8MB', 'peer_max_response_bytes: expected a number, got string "8MB"'],
    ] as const) {
      const r = parseConfig(`${base}peer_max_response_bytes: ${value}\n`, HOST);
      assert.ok(!r.ok, value);
      assert.deepEqual(r.issues.map((i) => formatIssue({ path: i.path, message: i.message })), [message]);
    }
  });
});

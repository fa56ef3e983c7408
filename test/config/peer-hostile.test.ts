import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/parse.js';
import { formatIssue } from '../../src/config/types.js';

const base = `node_id: here
targets:
  - id: web
    service: web.service
`;

function issues(yaml: string): string[] {
  const r = parseConfig(yaml, { hostname: 'host' });
  return r.ok ? [] : r.issues.map(formatIssue);
}

describe('config: a peer with credentials in base_url and an api_key', () => {
  it('is refused, naming the peer and the field, without echoing the password', () => {
    for (const url of ['https://user:hunter2@peer.example:8080', 'http://user@peer.example', 'http://:hunter2@peer.example']) {
      const found = issues(`${base}peers:\n  - id: p1\n    base_url: ${url}\n    api_key: k1\n`);
      assert.equal(found.length, 1, url);
      assert.match(found[0]!, /^peers\[0\]\.base_url: has a user name or password in it and api_key is set: the URL credentials would replace the api_key; remove one of them/);
      assert.doesNotMatch(found[0]!, /hunter2/);
    }
  });
  it('either alone is taken', () => {
    assert.deepEqual(issues(`${base}peers:\n  - id: p1\n    base_url: https://user:pw@peer.example\n`), []);
    assert.deepEqual(issues(`${base}peers:\n  - id: p1\n    base_url: https://peer.example\n    api_key: k1\n`), []);
  });
  it('the second of two peers is named by its index', () => {
    const found = issues(`${base}peers:\n  - id: p1\n    base_url: https://peer.example\n    api_key: k1\n  - id: p2\n    base_url: https://u:p@other.example\n    api_key: k2\n`);
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^peers\[1\]\.base_url: /);
  });
});

describe('config: peer_max_targets and peer_max_entries', () => {
  it('are absent by default and taken when whole numbers in range', () => {
    const def = parseConfig(base, { hostname: 'host' });
    assert.ok(def.ok);
    assert.equal(def.config.peer_max_targets, undefined);
    assert.equal(def.config.peer_max_entries, undefined);
    const r = parseConfig(`${base}peer_max_targets: 20000\npeer_max_entries: 1\n`, { hostname: 'host' });
    assert.ok(r.ok, r.ok ? '' : r.issues.map(formatIssue).join('; '));
    assert.equal(r.config.peer_max_targets, 20_000);
    assert.equal(r.config.peer_max_entries, 1);
  });
  it('are refused out of range or fractional, with the key named', () => {
    assert.match(issues(`${base}peer_max_targets: 0\n`)[0] ?? '', /^peer_max_targets: must be at least 1, got 0/);
    assert.match(issues(`${base}peer_max_targets: 1000001\n`)[0] ?? '', /^peer_max_targets: must be at most 1000000/);
    assert.match(issues(`${base}peer_max_entries: 2.5\n`)[0] ?? '', /^peer_max_entries: expected a whole number, got 2.5/);
    assert.match(issues(`${base}peer_max_entries: 10000001\n`)[0] ?? '', /^peer_max_entries: must be at most 10000000/);
  });
});

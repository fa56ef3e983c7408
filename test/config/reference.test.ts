import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/parse.js';
import { formatIssue } from '../../src/config/types.js';

/** Verbatim copies of the original JobMonitor's configs (shared/reference/go-jobmonitor/). */
const original = (name: string) => readFileSync(new URL(`../../../test/fixtures/config/original-${name}.yaml`, import.meta.url), 'utf8');

describe('configs written for the original JobMonitor', () => {
  it('reads node-a\'s config as the original did', () => {
    const result = parseConfig(original('node-a'), { hostname: 'vm' });
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
    const c = result.config;
    assert.equal(c.node_id, 'node-a');
    assert.equal(c.node_name, 'Node A');
    assert.equal(c.interval_minutes, 1);
    assert.equal(c.peer_refresh_seconds, 15);
    assert.deepEqual(c.monitor_dns, { enabled: true, target: '127.0.0.1:18099', interval_seconds: 10, timeout_seconds: 2 });
    assert.deepEqual(c.targets.map((t) => [t.id, t.name, t.service, t.timeout_seconds, t.use_sudo]), [
      ['ok', 'OK Service', 'ok.service', 2, false],
      ['bad', 'Bad Service', 'bad.service', 2, false],
      ['hang', 'Hanging Service', 'hang.service', 2, false],
    ]);
    assert.equal(c.targets[0]?.url, 'https://status.example.com/ok');
    assert.deepEqual(c.peers, [
      { id: 'node-b', name: 'Node B', base_url: 'http://127.0.0.1:18082', enabled: true, api_key: 'secret123' },
      { id: 'node-c', name: 'Logger C (with key)', base_url: 'http://127.0.0.1:18083', enabled: true, api_key: 'secret123' },
    ]);
    assert.equal(c.retention_days, 30);
    assert.equal(c.api_key, undefined);
  });

  it('reads the peer-errors config, keeping the disabled peer and the raw refresh period', () => {
    const result = parseConfig(original('peer-errors'), { hostname: 'vm' });
    assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
    assert.equal(result.config.peer_refresh_seconds, 1, 'raising it to 15 s is the poller\'s business');
    assert.deepEqual(result.config.peers.map((p) => [p.id, p.name, p.base_url, p.enabled]), [
      ['p404', 'Wrong path peer (404)', 'http://127.0.0.1:18089/nope', true],
      ['self', 'self', 'http://127.0.0.1:18089', true],
      ['disabled', 'Disabled peer', 'http://127.0.0.1:1', false],
      ['badhost', 'Unresolvable host', 'http://no-such-host.invalid:8080', true],
    ]);
  });

  it('rejects the odd-targets config the original ran: a shell-ish unit name and a target without id', () => {
    const result = parseConfig(original('odd-targets'), { hostname: 'vm' });
    assert.ok(!result.ok);
    // Line numbers count the one-line provenance comment at the top of the fixture.
    assert.deepEqual(result.issues.map(formatIssue), [
      'targets[0].service: not a valid systemd unit name: contains a space (line 8, column 14)',
      'targets[1].id: is required (line 10, column 5)',
    ]);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/parse.js';
import { formatIssue, type Config } from '../../src/config/types.js';
import { thresholdsFor } from '../../src/incidents/thresholds.js';

const HOST = { hostname: 'vm' };
const base = 'targets:\n  - id: web\n    service: nginx\n';

function config(text: string): Config {
  const r = parseConfig(text, HOST);
  assert.ok(r.ok, r.ok ? '' : r.issues.map(formatIssue).join('\n'));
  return r.config;
}

function messages(text: string): string[] {
  const r = parseConfig(text, HOST);
  assert.ok(!r.ok, 'expected the config to be rejected');
  return r.issues.map((i) => formatIssue({ path: i.path, message: i.message }));
}

describe('config: incident thresholds (ours)', () => {
  it('default to 1/1 for units (in the parsed config) and 3/1 for the DNS probe and peers; a target left unset inherits', () => {
    const c = config(`${base}peers:\n  - id: b\n    base_url: http://127.0.0.1:9\n`);
    assert.equal(c.failure_threshold, 1);
    assert.equal(c.success_threshold, 1);
    assert.deepEqual(c.notifications, []);
    assert.equal('failure_threshold' in c.targets[0]!, false, 'absent: the top-level value applies');
    assert.equal('failure_threshold' in c.monitor_dns, false);
    const t = thresholdsFor(c);
    assert.deepEqual(t('unit', 'web'), { failure: 1, success: 1 });
    assert.deepEqual(t('probe', '1.1.1.1'), { failure: 3, success: 1 });
    assert.deepEqual(t('peer', 'b'), { failure: 3, success: 1 });
  });

  it('reads the global default, a per-target override, and the probe and peer settings', () => {
    const c = config(`failure_threshold: 2
success_threshold: 2
targets:
  - id: web
    service: nginx
  - id: flaky
    service: flaky
    failure_threshold: 5
    success_threshold: 3
monitor_dns:
  enabled: true
  failure_threshold: 4
peers:
  - id: b
    base_url: http://127.0.0.1:9
    failure_threshold: 10
`);
    assert.equal(c.failure_threshold, 2);
    assert.deepEqual(c.targets[1], { id: 'flaky', name: 'flaky', service: 'flaky.service', timeout_seconds: 15, use_sudo: false, failure_threshold: 5, success_threshold: 3 });
    const t = thresholdsFor(c);
    assert.deepEqual(t('unit', 'web'), { failure: 2, success: 2 }, 'the global default');
    assert.deepEqual(t('unit', 'flaky'), { failure: 5, success: 3 }, 'the target override');
    assert.deepEqual(t('probe', '1.1.1.1'), { failure: 4, success: 1 });
    assert.deepEqual(t('peer', 'b'), { failure: 10, success: 1 });
  });

  it('refuses thresholds that are not whole numbers from 1 to 100, by path', () => {
    assert.deepEqual(messages(`failure_threshold: 0
targets:
  - id: web
    service: nginx
    success_threshold: 1.5
monitor_dns:
  failure_threshold: 101
peers:
  - id: b
    base_url: http://127.0.0.1:9
    success_threshold: "two"
`), [
      'failure_threshold: must be at least 1, got 0',
      'targets[0].success_threshold: expected a whole number, got 1.5',
      'monitor_dns.failure_threshold: must be at most 100, got 101',
      'peers[0].success_threshold: expected a number, got string "two"',
    ]);
  });
});

/** group_threshold and rate_limit_per_hour when the file has none. */
const LIMITS = { group_threshold: 5, rate_limit_per_hour: 20 };

describe('config: notifications (ours)', () => {
  it('reads every type with its defaults: on both events, a 10 s timeout', () => {
    const c = config(`${base}notifications:
  - id: hook
    type: webhook
    url: https://hooks.example.com/jobmonitor
    headers:
      Authorization: Bearer abc
      X-Retries: 3
  - id: phone
    type: ntfy
    url: https://ntfy.sh
    topic: my-alerts
    on: [open]
  - id: team
    type: slack
    url: https://hooks.slack.com/services/T0/B0/XYZ
    on: [resolve, open, open]
    timeout_seconds: 5
  - id: chat
    type: discord
    url: https://discord.com/api/webhooks/1/abc
`);
    assert.deepEqual(c.notifications, [
      { id: 'hook', type: 'webhook', url: 'https://hooks.example.com/jobmonitor', headers: { Authorization: 'Bearer abc', 'X-Retries': '3' }, on: ['open', 'resolve'], timeout_seconds: 10, ...LIMITS },
      { id: 'phone', type: 'ntfy', url: 'https://ntfy.sh', topic: 'my-alerts', on: ['open'], timeout_seconds: 10, ...LIMITS },
      { id: 'team', type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/XYZ', on: ['open', 'resolve'], timeout_seconds: 5, ...LIMITS },
      { id: 'chat', type: 'discord', url: 'https://discord.com/api/webhooks/1/abc', on: ['open', 'resolve'], timeout_seconds: 10, ...LIMITS },
    ]);
  });

  it('accepts an ntfy topic given in the url', () => {
    const c = config(`${base}notifications:\n  - id: n\n    type: ntfy\n    url: https://ntfy.example.com/my-alerts\n`);
    assert.equal(c.notifications?.[0]?.topic, undefined);
  });

  it('reports every problem by path: unknown type, bad URL, bad events, headers, timeout, missing keys', () => {
    assert.deepEqual(messages(`${base}notifications:
  - id: a
    type: email
    url: https://example.com
  - id: b
    type: webhook
    url: ftp://example.com/hook
    on: [open, close]
    timeout_seconds: 0
  - id: c
    type: webhook
    url: not a url
    headers:
      "Bad Name": x
      Host: example.com
      X-Token: "line1\\nline2"
  - type: slack
    on: []
`), [
      'notifications[0].type: expected one of webhook, ntfy, slack, discord, got string "email"',
      'notifications[1].url: must start with http:// or https://, got "ftp://example.com/hook"',
      'notifications[1].on[1]: expected open or resolve, got string "close"',
      'notifications[1].timeout_seconds: must be at least 1, got 0',
      'notifications[2].url: not an absolute http(s) URL: "not a url"',
      'notifications[2].headers["Bad Name"]: "Bad Name" is not a valid HTTP header name',
      'notifications[2].headers.Host: "Host" is set by JobMonitor itself and cannot be configured',
      'notifications[2].headers["X-Token"]: may contain only printable ASCII characters',
      'notifications[3].id: is required',
      'notifications[3].url: is required',
      'notifications[3].on: must list at least one of open, resolve',
    ]);
  });

  it('checks topic against the type, unknown keys, and duplicate ids', () => {
    assert.deepEqual(messages(`${base}notifications:
  - id: n
    type: ntfy
    url: https://ntfy.sh/
  - id: n
    type: slack
    url: https://hooks.slack.com/x
    topic: alerts
  - id: w
    type: webhook
    url: https://example.com
    timeout: 5
  - id: t
    type: ntfy
    url: https://ntfy.sh
    topic: "has space"
`), [
      'notifications[0].topic: is required for ntfy (or give the topic in url, e.g. https://ntfy.sh/my-alerts)',
      'notifications[1].id: duplicate notification id "n" (also used by notifications[0])',
      'notifications[1].topic: only used with type ntfy',
      'notifications[2].timeout: unknown key (did you mean "timeout_seconds"?)',
      'notifications[3].topic: expected 1 to 64 letters, digits, "-" or "_", got string "has space"',
    ]);
  });

  it('wants a list', () => {
    assert.deepEqual(messages(`${base}notifications:\n  id: x\n`), ['notifications: expected a list, got a mapping']);
  });
});

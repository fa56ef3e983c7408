import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/parse.js';
import { formatIssue } from '../../src/config/types.js';
import type { Config, ConfigIssue } from '../../src/config/types.js';

const HOST = { hostname: 'vm' };
const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/config/${name}`, import.meta.url), 'utf8');

/** A valid file with one target, with `extra` appended (YAML, top level). */
const withTarget = (extra = '') => `targets:\n  - id: web\n    service: nginx\n${extra}`;

function config(text: string, opts = HOST): Config {
  const result = parseConfig(text, opts);
  assert.ok(result.ok, `expected a valid config, got:\n${result.ok ? '' : result.issues.map(formatIssue).join('\n')}`);
  return result.config;
}

function issues(text: string, opts = HOST): ConfigIssue[] {
  const result = parseConfig(text, opts);
  assert.ok(!result.ok, 'expected the config to be rejected');
  return result.issues;
}

/** The formatted issues (`path: message`), without positions. */
function messages(text: string, opts = HOST): string[] {
  return issues(text, opts).map((issue) => formatIssue({ path: issue.path, message: issue.message }));
}

/** The keys every parsed config has, with the schema's defaults, when the file leaves them out. */
const DEFAULTED = {
  failure_threshold: 1,
  success_threshold: 1,
  notifications: [],
  metrics_public: false,
  badges_public: false,
  journal_lines: 0,
} as const;

describe('parseConfig: browser embedding keys', () => {
  it('rejects an origin with a path and a bad frame source, by path', () => {
    const r = parseConfig(`cors_origins:
  - https://ok.example.com
  - https://bad.example.com/path
frame_ancestors: [javascript:alert(1)]
targets:
  - id: web
    service: nginx
`, { hostname: 'vm' });
    assert.equal(r.ok, false);
    if (r.ok) return;
    const paths = r.issues.map((i) => `${i.path}: ${i.message}`);
    assert.equal(paths.length, 2, paths.join('\n'));
    assert.match(paths[0]!, /^cors_origins\[1\]: expected an origin like/);
    assert.match(paths[1]!, /^frame_ancestors\[0\]: expected 'self', \* or an origin/);
  });
});

describe('parseConfig: defaults', () => {
  it('fills every default of a minimal file', () => {
    assert.deepEqual(config('targets:\n  - id: web\n    service: nginx\n'), {
      interval_minutes: 5,
      data_directory: '.dist/data',
      node_id: 'vm',
      node_name: 'vm',
      peer_refresh_seconds: 60,
      monitor_dns: { enabled: false, target: '1.1.1.1', interval_seconds: 60, timeout_seconds: 4 },
      targets: [{ id: 'web', name: 'web', service: 'nginx.service', timeout_seconds: 15, use_sudo: false }],
      peers: [],
      retention_days: 30,
      cors_origins: [],
      frame_ancestors: [],
      ...DEFAULTED,
    });
  });

  it('reads every key, ours included', () => {
    assert.deepEqual(config(fixture('full.yaml')), {
      interval_minutes: 0.05,
      data_directory: '/var/lib/jobmonitor',
      node_id: 'web-1',
      node_name: 'Web server 1',
      peer_refresh_seconds: 30,
      monitor_dns: { enabled: true, target: '[2606:4700:4700::1111]:53', interval_seconds: 15, timeout_seconds: 3 },
      targets: [
        { id: 'nginx', name: 'Reverse proxy', service: 'nginx.service', url: 'https://example.com/', timeout_seconds: 8, use_sudo: true },
        { id: 'getty:tty1', name: 'getty:tty1', service: 'getty@tty1.service', timeout_seconds: 15, use_sudo: false },
      ],
      peers: [
        { id: 'web-2', name: 'web-2', base_url: 'https://web-2.example.com:8443/jobmonitor', enabled: true, api_key: 'other-token' },
        { id: 'web-3', name: 'Web server 3', base_url: 'http://10.0.0.3:8080', enabled: false },
      ],
      api_key: 's3cret-token',
      retention_days: 7,
      cors_origins: ['https://intranet.example.com', 'http://127.0.0.1:3000'],
      frame_ancestors: ["'self'", 'https://intranet.example.com'],
      ...DEFAULTED,
    });
  });

  it('names default to ids, node_name to node_id, and blank names count as missing', () => {
    const c = config(`node_id: edge
node_name: "  "
targets:
  - id: web
    name: ""
    service: nginx
peers:
  - id: other
    base_url: http://127.0.0.1:9000/
`);
    assert.equal(c.node_name, 'edge');
    assert.equal(c.targets[0]?.name, 'web');
    assert.equal(c.peers[0]?.name, 'other');
    assert.equal(c.peers[0]?.enabled, true, 'a listed peer is enabled unless it says otherwise');
    assert.equal(c.peers[0]?.base_url, 'http://127.0.0.1:9000');
  });

  it('takes node_id from the host name, or a fixed name when the host has none', () => {
    assert.equal(config(withTarget(), { hostname: 'box7' }).node_id, 'box7');
    assert.equal(config(withTarget(), { hostname: 'box7' }).node_name, 'box7');
    assert.equal(config(withTarget(), { hostname: '' }).node_id, 'jobmonitor-local');
  });

  it('treats empty sections as absent', () => {
    const c = config(withTarget('monitor_dns:\npeers:\ninterval_minutes:\n'));
    assert.equal(c.monitor_dns.target, '1.1.1.1');
    assert.deepEqual(c.peers, []);
    assert.equal(c.interval_minutes, 5);
  });

  it('accepts a fractional interval and YAML 1.1 booleans as the original did', () => {
    const c = config(`interval_minutes: 0.05
monitor_dns:
  enabled: on
targets:
  - id: a
    service: a
    use_sudo: yes
  - id: b
    service: b
    use_sudo: "no"
`);
    assert.equal(c.interval_minutes, 0.05);
    assert.equal(c.monitor_dns.enabled, true);
    assert.deepEqual(c.targets.map((t) => t.use_sudo), [true, false]);
  });

  it('accepts each form of DNS target', () => {
    for (const target of ['1.1.1.1', '1.1.1.1:5353', 'dns.example.com', 'dns.example.com.', 'localhost:53', '[::1]:53', '[::1]', '2606:4700:4700::1111']) {
      assert.equal(config(withTarget(`monitor_dns:\n  target: "${target}"\n`)).monitor_dns.target, target);
    }
  });
});

describe('parseConfig: errors', () => {
  it('requires at least one target, like the original', () => {
    assert.deepEqual(messages(''), ['targets: configuration must define at least one target']);
    assert.deepEqual(messages('# only a comment\n'), ['targets: configuration must define at least one target']);
    assert.deepEqual(messages('targets: []\n'), ['targets: configuration must define at least one target']);
  });

  it('reports unknown keys at every level, with a suggestion when one is close', () => {
    assert.deepEqual(messages(`intervall_minutes: 3
colour: blue
monitor_dns:
  timeout: 3
targets:
  - id: web
    service: nginx
    servce: nginx
peers:
  - id: p
    base_url: http://127.0.0.1:1
    apikey: x
`), [
      'intervall_minutes: unknown key (did you mean "interval_minutes"?)',
      'colour: unknown key',
      'monitor_dns.timeout: unknown key (did you mean "timeout_seconds"?)',
      'targets[0].servce: unknown key (did you mean "service"?)',
      'peers[0].apikey: unknown key (did you mean "api_key"?)',
    ]);
  });

  it('points at an unknown key', () => {
    const [issue] = issues(withTarget('  - id: two\n    service: x\n    Service: y\n'));
    assert.deepEqual(issue, { path: 'targets[1].Service', message: 'unknown key (did you mean "service"?)', line: 6, column: 5 });
  });

  it('reports missing required fields of targets and peers', () => {
    assert.deepEqual(messages(`targets:
  - name: no id
    service: a
  - id: nosvc
  - id: nullsvc
    service:
peers:
  - name: no id
    base_url: http://127.0.0.1:1
  - id: nourl
`), [
      'targets[0].id: is required',
      'targets[1].service: is required',
      'targets[2].service: is required',
      'peers[0].id: is required',
      'peers[1].base_url: is required',
    ]);
  });

  it('reports wrong types with what was found', () => {
    assert.deepEqual(messages(`interval_minutes: "abc"
node_id: 12
monitor_dns: [1]
targets:
  - id: web
    service: nginx
    use_sudo: maybe
    timeout_seconds: "5"
peers: {id: p}
`), [
      'interval_minutes: expected a number, got string "abc"',
      'node_id: expected a string, got number 12',
      'monitor_dns: expected a mapping, got a list',
      'targets[0].use_sudo: expected true or false, got string "maybe"',
      'targets[0].timeout_seconds: expected a number, got string "5"',
      'peers: expected a list, got a mapping',
    ]);
    assert.deepEqual(messages('targets: web\n'), ['targets: expected a list, got string "web"']);
    assert.deepEqual(messages('targets:\n  - nginx\n'), ['targets[0]: expected a mapping, got string "nginx"']);
    assert.deepEqual(messages('- a\n'), ['expected a mapping, got a list']);
  });

  it('rejects non-positive intervals and timeouts', () => {
    assert.deepEqual(messages(withTarget(`interval_minutes: 0
peer_refresh_seconds: -5
retention_days: 0
monitor_dns:
  interval_seconds: 0
  timeout_seconds: -1
`)), [
      'interval_minutes: must be greater than 0, got 0',
      'peer_refresh_seconds: must be at least 1, got -5',
      'retention_days: must be at least 1, got 0',
      'monitor_dns.interval_seconds: must be at least 1, got 0',
      'monitor_dns.timeout_seconds: must be at least 1, got -1',
    ]);
    assert.deepEqual(messages('interval_minutes: -0.5\n' + withTarget()), ['interval_minutes: must be greater than 0, got -0.5']);
    assert.deepEqual(messages('targets:\n  - id: a\n    service: a\n    timeout_seconds: 0\n'), ['targets[0].timeout_seconds: must be at least 1, got 0']);
  });

  it('wants whole numbers for seconds and days, and caps timeouts', () => {
    assert.deepEqual(messages(withTarget(`retention_days: 2.5
peer_refresh_seconds: 1.5
monitor_dns:
  timeout_seconds: 3601
`)), [
      'retention_days: expected a whole number, got 2.5',
      'peer_refresh_seconds: expected a whole number, got 1.5',
      'monitor_dns.timeout_seconds: must be at most 3600, got 3601',
    ]);
    assert.deepEqual(messages('targets:\n  - id: a\n    service: a\n    timeout_seconds: 1.5\n'), ['targets[0].timeout_seconds: expected a whole number, got 1.5']);
    assert.deepEqual(messages('interval_minutes: .inf\n' + withTarget()), ['interval_minutes: expected a finite number, got Infinity']);
  });

  it('reports duplicate target ids and duplicate peer ids', () => {
    assert.deepEqual(messages(`targets:
  - id: web
    service: a
  - id: db
    service: b
  - id: web
    service: c
peers:
  - id: p
    base_url: http://127.0.0.1:1
  - id: p
    base_url: http://127.0.0.1:2
`), [
      'targets[2].id: duplicate target id "web" (also used by targets[0])',
      'peers[1].id: duplicate peer id "p" (also used by peers[0])',
    ]);
  });

  it('rejects a peer that has this node\'s own id, given or defaulted', () => {
    const peer = 'peers:\n  - id: vm\n    base_url: http://127.0.0.1:1\n';
    assert.deepEqual(messages(withTarget(peer)), ['peers[0].id: peer id "vm" is this node\'s own node_id']);
    assert.deepEqual(messages(withTarget(`node_id: vm\n${peer}`), { hostname: 'other' }), ['peers[0].id: peer id "vm" is this node\'s own node_id']);
    assert.equal(config(withTarget(`node_id: box\n${peer}`)).peers[0]?.id, 'vm');
  });

  it('rejects bad URLs and normalises base_url', () => {
    assert.deepEqual(messages(`targets:
  - id: a
    service: a
    url: ftp://example.com/x
  - id: b
    service: b
    url: /status
peers:
  - id: p1
    base_url: localhost:8080
  - id: p2
    base_url: 127.0.0.1:8080
  - id: p3
    base_url: http://127.0.0.1:8080/api?key=1
  - id: p4
    base_url: ""
`), [
      'targets[0].url: must start with http:// or https://, got "ftp://example.com/x"',
      'targets[1].url: not an absolute http(s) URL: "/status"',
      'peers[0].base_url: must start with http:// or https://, got "localhost:8080"',
      'peers[1].base_url: not an absolute http(s) URL: "127.0.0.1:8080"',
      'peers[2].base_url: must not have a query or fragment, got "http://127.0.0.1:8080/api?key=1"',
      'peers[3].base_url: not an absolute http(s) URL: ""',
    ]);
    const c = config(withTarget('peers:\n  - id: a\n    base_url: http://127.0.0.1:18083/\n  - id: b\n    base_url: HTTP://Example.COM/jm//\n'));
    assert.deepEqual(c.peers.map((p) => p.base_url), ['http://127.0.0.1:18083', 'http://example.com/jm']);
  });

  it('rejects unit names systemd would not accept, saying why', () => {
    const found = issues(`targets:
  - id: a
    service: a
  - id: b
    service: b
  - id: c
    service: "x; rm -rf /"
  - id: d
    service: foo@.service
  - id: e
    service: --help
`);
    assert.deepEqual(found.map(formatIssue), [
      'targets[2].service: not a valid systemd unit name: contains ";" (line 7, column 14)',
      'targets[3].service: not a valid systemd unit name: template without an instance (line 9, column 14)',
      'targets[4].service: not a valid systemd unit name: starts with "-" (line 11, column 14)',
    ]);
  });

  it('rejects empty ids and ids with characters that do not fit in URLs and keys', () => {
    assert.deepEqual(messages(`node_id: "my node"
targets:
  - id: ""
    service: a
  - id: "   "
    service: b
  - id: a/b
    service: c
  - id: ".."
    service: d
  - id: ok
    service: "  "
peers:
  - id: "p q"
    base_url: http://127.0.0.1:1
`), [
      'node_id: contains a space; ids may use only letters, digits, "_", ".", ":" and "-"',
      'targets[0].id: must not be empty',
      'targets[1].id: must not be empty',
      'targets[2].id: contains "/"; ids may use only letters, digits, "_", ".", ":" and "-"',
      'targets[3].id: must not be ".."',
      'targets[4].service: must not be empty',
      'peers[0].id: contains a space; ids may use only letters, digits, "_", ".", ":" and "-"',
    ]);
  });

  it('checks the DNS target as host, host:port or [IPv6]:port', () => {
    const dns = (target: string) => messages(withTarget(`monitor_dns:\n  target: "${target}"\n`));
    const prefix = 'monitor_dns.target: expected host, host:port or [IPv6]:port: ';
    assert.deepEqual(dns('1.1.1.1:0'), [`${prefix}port must be between 1 and 65535, got "0"`]);
    assert.deepEqual(dns('1.1.1.1:65536'), [`${prefix}port must be between 1 and 65535, got "65536"`]);
    assert.deepEqual(dns('1.1.1.1:'), [`${prefix}port must be between 1 and 65535, got ""`]);
    assert.deepEqual(dns('1.1.1.1:dns'), [`${prefix}port must be between 1 and 65535, got "dns"`]);
    assert.deepEqual(dns('[::1]:99999'), [`${prefix}port must be between 1 and 65535, got "99999"`]);
    assert.deepEqual(dns('[1.1.1.1]:53'), [`${prefix}"1.1.1.1" in brackets is not an IPv6 address`]);
    assert.deepEqual(dns('2606:zz::1'), [`${prefix}"2606:zz::1" is not an IPv6 address (write [address]:port to give a port)`]);
    assert.deepEqual(dns('bad host'), [`${prefix}"bad host" is not a valid host name or IP address`]);
    assert.deepEqual(dns('-x.example'), [`${prefix}"-x.example" is not a valid host name or IP address`]);
    assert.deepEqual(dns('999.1.1.1'), [`${prefix}"999.1.1.1" is not a valid IPv4 address`]);
    assert.deepEqual(dns(''), [`${prefix}must not be empty`]);
  });

  it('rejects empty or unsendable api keys', () => {
    assert.deepEqual(messages(withTarget(`api_key: ""
peers:
  - id: p
    base_url: http://127.0.0.1:1
    api_key: "two words"
`)), [
      'api_key: must not be empty',
      'peers[0].api_key: may contain only printable ASCII characters without spaces',
    ]);
  });

  it('reports every problem at once, in source order, each with its place', () => {
    const found = issues(`interval_minutes: abc
targets:
  - id: web
    servce: nginx
  - id: web
    service: "a b"
peers:
  - id: vm
    base_url: ftp://x
retention_days: 0
`);
    assert.deepEqual(found, [
      { path: 'interval_minutes', message: 'expected a number, got string "abc"', line: 1, column: 19 },
      { path: 'targets[0].service', message: 'is required', line: 3, column: 5 },
      { path: 'targets[0].servce', message: 'unknown key (did you mean "service"?)', line: 4, column: 5 },
      { path: 'targets[1].id', message: 'duplicate target id "web" (also used by targets[0])', line: 5, column: 9 },
      { path: 'targets[1].service', message: 'not a valid systemd unit name: contains a space', line: 6, column: 14 },
      { path: 'peers[0].id', message: 'peer id "vm" is this node\'s own node_id', line: 8, column: 9 },
      { path: 'peers[0].base_url', message: 'must start with http:// or https://, got "ftp://x"', line: 9, column: 15 },
      { path: 'retention_days', message: 'must be at least 1, got 0', line: 10, column: 17 },
    ]);
  });
});

describe('parseConfig: YAML errors', () => {
  it('gives line and column of a syntax error', () => {
    const [issue, ...rest] = issues('interval_minutes: 1\ntargets:\n  - id: a\n    service: "unterminated\n');
    assert.deepEqual(rest, []);
    assert.equal(issue?.path, '');
    assert.match(issue?.message ?? '', /^YAML syntax error: /);
    assert.equal(issue?.line, 5);
    assert.equal(issue?.column, 1);
  });

  it('reports every syntax error of a badly indented file, each with its place', () => {
    const found = issues('targets:\n  - id: a\n     service: b\n   timeout_seconds: 2\n');
    assert.ok(found.length >= 2);
    for (const issue of found) assert.match(formatIssue(issue), /^YAML syntax error: .+ \(line \d+, column \d+\)$/);
    assert.deepEqual([found[0]?.line, found[0]?.column], [2, 9]);
  });

  it('reports a key given twice in one mapping', () => {
    assert.deepEqual(issues('targets:\n  - id: a\n    service: x\n    service: y\n'), [
      { path: '', message: 'duplicate key "service"', line: 4, column: 5 },
    ]);
  });

  it('reports an alias to an anchor that does not exist', () => {
    assert.deepEqual(messages('targets: *nothing\n'), ['invalid YAML: Unresolved alias (the anchor must be set before the alias): nothing']);
  });

  it('rejects a file holding several documents', () => {
    const [issue] = issues(`${withTarget()}---\n${withTarget()}`);
    assert.match(issue?.message ?? '', /multiple documents/);
    assert.equal(issue?.line, 4);
  });

  it('honours merge keys, as the original\'s YAML library did', () => {
    const c = config('targets:\n  - &base {id: a, service: a, timeout_seconds: 3}\n  - <<: *base\n    id: b\n');
    assert.deepEqual(c.targets.map((t) => [t.id, t.timeout_seconds]), [['a', 3], ['b', 3]]);
  });
});

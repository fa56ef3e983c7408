/** The request each channel type sends, built from one incident event (no network). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NotificationConfig } from '../../src/config/types.js';
import { buildRequest } from '../../src/notify/request.js';
import { headerText } from '../../src/notify/ntfy.js';
import { openEvent, resolveEvent } from './fixtures.js';
import { testNotification } from '../helpers/config.js';

const UA = 'jobmonitor-ts/test';

function channel(over: Partial<NotificationConfig>): NotificationConfig {
  return testNotification({ id: 'c', type: 'webhook', url: 'https://hooks.example.com/x', ...over });
}

describe('notification formats', () => {
  it('webhook: JSON with event, incident, node, and ready text; configured headers added', () => {
    const req = buildRequest(channel({ headers: { Authorization: 'Bearer t0k', 'X-Env': 'prod' } }), openEvent(), UA);
    assert.equal(req.url, 'https://hooks.example.com/x');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['user-agent'], UA);
    assert.equal(req.headers['authorization'], 'Bearer t0k');
    assert.equal(req.headers['x-env'], 'prod');
    const body = JSON.parse(req.body);
    assert.equal(body.event, 'open');
    assert.deepEqual(body.node, { id: 'n1', name: 'Node 1' });
    assert.equal(body.incident.id, 'unit:web:1764324000000');
    assert.equal(body.incident.duration_seconds, 300);
    assert.equal(body.title, 'Web server (web): failed on Node 1');
    assert.equal(body.message, [
      'Web server (web): failed on Node 1',
      'Error: Unit nginx.service entered failed state (exit-code)',
      'Since: 2026-11-28 10:00:00 UTC',
      'Node: Node 1 (n1)',
    ].join('\n'));
    assert.equal(JSON.parse(buildRequest(channel({}), resolveEvent(), UA).body).event, 'resolve');
    const plain = JSON.parse(buildRequest(channel({}), openEvent({ errors: ['failed'] }), UA).body);
    assert.doesNotMatch(plain.message, /Error/, 'an error that only repeats the state is not shown twice');
  });

  it('ntfy: POST to url/topic, plain text body, Title/Tags/Priority headers', () => {
    const req = buildRequest(channel({ type: 'ntfy', url: 'https://ntfy.example.com/', topic: 'ops-alerts' }), openEvent(), UA);
    assert.equal(req.url, 'https://ntfy.example.com/ops-alerts');
    assert.equal(req.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(req.headers['title'], 'Web server (web): failed on Node 1');
    assert.equal(req.headers['tags'], 'rotating_light,unit');
    assert.equal(req.headers['priority'], '4');
    assert.match(req.body, /^Error: Unit nginx.service entered failed state \(exit-code\)\nSince: 2026-11-28 10:00:00 UTC/);
    const resolved = buildRequest(channel({ type: 'ntfy', url: 'https://ntfy.example.com/ops-alerts' }), resolveEvent(), UA);
    assert.equal(resolved.url, 'https://ntfy.example.com/ops-alerts', 'topic already in the url');
    assert.equal(resolved.headers['tags'], 'white_check_mark,unit');
    assert.equal(resolved.headers['priority'], '3');
    assert.match(resolved.body, /Down for: 12 min/);
  });

  it('ntfy: a non-ASCII title is RFC 2047 encoded, and no header can carry a line break', () => {
    assert.equal(headerText('plain title'), 'plain title');
    const encoded = headerText('Sauvegarde échouée');
    assert.match(encoded, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    assert.equal(Buffer.from(encoded.slice(10, -2), 'base64').toString('utf8'), 'Sauvegarde échouée');
    assert.equal(headerText('a\r\nInjected: yes'), 'a Injected: yes');
  });

  it('slack: text for notifications and blocks with the facts, user text escaped', () => {
    const req = buildRequest(channel({ type: 'slack' }), openEvent({ name: '<!channel> & co' }), UA);
    const body = JSON.parse(req.body);
    assert.equal(body.text, ':red_circle: &lt;!channel&gt; &amp; co (web): failed on Node 1');
    assert.equal(body.blocks[0].type, 'section');
    assert.equal(body.blocks[0].text.type, 'mrkdwn');
    assert.match(body.blocks[0].text.text, /^:red_circle: \*&lt;!channel&gt; &amp; co \(web\): failed on Node 1\*$/);
    assert.deepEqual(body.blocks[1].fields.map((f: { text: string }) => f.text.split('\n')[0]), ['*Error*', '*Since*', '*Node*']);
    const resolved = JSON.parse(buildRequest(channel({ type: 'slack' }), resolveEvent(), UA).body);
    assert.match(resolved.text, /^:white_check_mark: Web server \(web\): recovered on Node 1$/);
  });

  it('discord: content and one embed with fields; mentions disabled', () => {
    const body = JSON.parse(buildRequest(channel({ type: 'discord' }), openEvent({ errors: ['@everyone look [here](http://x.invalid)'] }), UA).body);
    assert.equal(body.content, '🔴 Web server \\(web\\): failed on Node 1');
    assert.deepEqual(body.allowed_mentions, { parse: [] });
    const [embed] = body.embeds;
    assert.equal(embed.title, 'Incident opened');
    assert.equal(embed.color, 0xe5484d);
    assert.equal(embed.timestamp, '2026-11-28T10:00:00.000Z');
    assert.deepEqual(embed.fields.map((f: { name: string; value: string }) => [f.name, f.value]), [
      // Embeds render markdown: untrusted text is escaped, so an error cannot become a masked link.
      ['Error', '@everyone look \\[here\\]\\(http://x.invalid\\)'], ['Since', '2026\\-11\\-28 10:00:00 UTC'], ['Node', 'Node 1 \\(n1\\)'],
    ]);
    const resolved = JSON.parse(buildRequest(channel({ type: 'discord' }), resolveEvent(), UA).body);
    assert.equal(resolved.embeds[0].title, 'Incident resolved');
    assert.equal(resolved.embeds[0].timestamp, '2026-11-28T10:12:00.000Z');
    assert.ok(resolved.embeds[0].fields.some((f: { name: string; value: string }) => f.name === 'States seen' && f.value === 'failed, activating'));
  });

  it('words peer and probe incidents for what they are', () => {
    const peer = openEvent({ kind: 'peer', subject: 'b', name: 'Node B', states: ['sync-failed'] });
    assert.equal(JSON.parse(buildRequest(channel({}), peer, UA).body).title, 'Peer Node B (b): stopped syncing, seen from Node 1');
    const probe = { ...openEvent({ kind: 'probe', subject: '1.1.1.1', name: 'DNS probe 1.1.1.1', states: ['offline'] }), type: 'resolve' as const };
    assert.equal(JSON.parse(buildRequest(channel({}), probe, UA).body).title, 'DNS probe 1.1.1.1: recovered on Node 1');
  });
});

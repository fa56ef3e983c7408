/** Delivery to local receivers on 127.0.0.1: every type's request as it arrives, retries, giving up, timeouts. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NotificationConfig, NotificationType } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { createNotifier, type NotifierOptions } from '../../src/notify/notifier.js';
import { openEvent, resolveEvent } from './fixtures.js';
import { startReceiver, type Reply } from './receiver.js';
import { testNotification } from '../helpers/config.js';

/** `over` is applied after parsing: these tests use timeouts below the file's 1 s minimum. */
function channel(url: string, over: Partial<NotificationConfig> = {}): NotificationConfig {
  return { ...testNotification({ id: 'ops', type: 'webhook', url }), ...over };
}

function notifier(channels: NotificationConfig[], over: Partial<NotifierOptions> = {}) {
  const lines: string[] = [];
  const n = createNotifier({
    channels, version: 'test', log: createLogger({ write: (l) => lines.push(l) }),
    delivery: { backoffMs: 5, ...over.delivery }, ...(over.queueLimit !== undefined ? { queueLimit: over.queueLimit } : {}),
  });
  return { n, lines };
}

describe('notification delivery', () => {
  it('POSTs each type in its format to the receiver', async () => {
    const rx = await startReceiver();
    try {
      const types: NotificationType[] = ['webhook', 'ntfy', 'slack', 'discord'];
      const { n, lines } = notifier(types.map((type) => channel(`${rx.url}/${type}`, { id: type, type, ...(type === 'ntfy' ? { topic: 'alerts' } : {}) })));
      n.notify(openEvent());
      await n.idle();
      const byPath = new Map(rx.received.map((r) => [r.path, r]));
      assert.deepEqual([...byPath.keys()].sort(), ['/discord', '/ntfy/alerts', '/slack', '/webhook']);
      for (const r of rx.received) assert.equal(r.method, 'POST');
      assert.equal(JSON.parse(byPath.get('/webhook')!.body).incident.subject, 'web');
      assert.equal(byPath.get('/ntfy/alerts')!.headers['title'], 'Web server (web): failed on Node 1');
      assert.equal(byPath.get('/ntfy/alerts')!.headers['priority'], '4');
      assert.match(byPath.get('/ntfy/alerts')!.body, /^Error: /);
      assert.ok(Array.isArray(JSON.parse(byPath.get('/slack')!.body).blocks));
      assert.equal(JSON.parse(byPath.get('/discord')!.body).embeds[0].title, 'Incident opened');
      assert.equal(byPath.get('/webhook')!.headers['user-agent'], 'jobmonitor-ts/test');
      assert.equal(lines.filter((l) => / sent open of unit web \(Web server\)$/.test(l)).length, 4, lines.join('\n'));
    } finally {
      await rx.close();
    }
  });

  it('retries after a 500 and succeeds, saying how many attempts it took', async () => {
    const rx = await startReceiver((i) => (i < 2 ? { status: 500 } : { status: 204 }));
    try {
      const { n, lines } = notifier([channel(rx.url)]);
      n.notify(openEvent());
      await n.idle();
      assert.equal(rx.received.length, 3);
      assert.equal(new Set(rx.received.map((r) => r.body)).size, 1, 'the same payload each time');
      assert.ok(lines.some((l) => l.endsWith('notification "ops" (webhook to ' + new URL(rx.url).host + '): sent open of unit web (Web server) after 3 attempts')), lines.join('\n'));
    } finally {
      await rx.close();
    }
  });

  it('gives up after 3 retries with one clear error line that names the channel but not its secret URL', async () => {
    const rx = await startReceiver(() => ({ status: 503, body: 'upstream\n down' }));
    try {
      const { n, lines } = notifier([channel(`${rx.url}/T000/B000/s3cr3t`, { type: 'slack' })]);
      n.notify(openEvent());
      await n.idle();
      assert.equal(rx.received.length, 4, 'the first attempt and 3 retries');
      const errors = lines.filter((l) => l.includes('ERROR'));
      assert.equal(errors.length, 1, lines.join('\n'));
      assert.match(errors[0]!, /ERROR notification "ops" \(slack to 127\.0\.0\.1:\d+\): gave up on open of unit web \(Web server\) after 4 attempts: http 503: upstream down$/);
      assert.equal(lines.some((l) => l.includes('s3cr3t')), false);
    } finally {
      await rx.close();
    }
  });

  it('does not retry what cannot succeed (a 404, a redirect)', async () => {
    const replies: Reply[] = [{ status: 404, body: 'no such hook' }, { status: 301, headers: { location: 'https://elsewhere.example/' } }];
    const rx = await startReceiver((i) => replies[i] ?? { status: 200 });
    try {
      const { n, lines } = notifier([channel(rx.url)]);
      n.notify(openEvent());
      n.notify(resolveEvent());
      await n.idle();
      assert.equal(rx.received.length, 2);
      assert.ok(lines.some((l) => /gave up on open .* after 1 attempt: http 404: no such hook \(not retried\)$/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /gave up on resolve .* after 1 attempt: http 301 \(redirects are not followed: configure the final URL\) \(not retried\)$/.test(l)), lines.join('\n'));
    } finally {
      await rx.close();
    }
  });

  it('bounds each attempt by timeout_seconds: a receiver that never answers is given up on', async () => {
    const rx = await startReceiver(() => 'hang');
    try {
      const { n, lines } = notifier([channel(rx.url, { timeout_seconds: 0.2 })], { delivery: { retries: 1 } });
      n.notify(openEvent());
      await n.idle(); // resolves although the receiver never answers
      assert.equal(rx.received.length, 2);
      assert.ok(lines.some((l) => /gave up on open .* after 2 attempts: timeout after 200 ms$/.test(l)), lines.join('\n'));
    } finally {
      await rx.close();
    }
  });

  it('a refused connection is retried, then reported', async () => {
    const rx = await startReceiver();
    const url = rx.url;
    await rx.close();
    const { n, lines } = notifier([channel(url)], { delivery: { retries: 2 } });
    n.notify(openEvent());
    await n.idle();
    assert.ok(lines.some((l) => /gave up on open .* after 3 attempts: connection refused$/.test(l)), lines.join('\n'));
  });
});

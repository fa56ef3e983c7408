/** The queue between incidents and receivers: never blocks a sweep, keeps order, stays bounded, stops cleanly. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSweep } from '../../src/checks/sweep.js';
import type { NotificationConfig } from '../../src/config/types.js';
import { createIncidentService } from '../../src/incidents/service.js';
import { openIncidentStore } from '../../src/incidents/store.js';
import { createLogger } from '../../src/log.js';
import { createNotifier } from '../../src/notify/notifier.js';
import { openEvent, resolveEvent } from './fixtures.js';
import { startReceiver } from './receiver.js';
import { testNotification } from '../helpers/config.js';
import { testConfig } from '../helpers/config.js';

function channel(url: string, over: Partial<NotificationConfig> = {}): NotificationConfig {
  return testNotification({ id: 'ops', type: 'webhook', url, ...over });
}

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ write: (l) => lines.push(l) }) };
}

describe('notifier', () => {
  it('a receiver that hangs does not delay the sweep that opened the incident', async () => {
    const rx = await startReceiver(() => 'hang');
    const { lines, log } = capture();
    try {
      const notifier = createNotifier({ channels: [channel(rx.url)], log, version: 'test' });
      const store = await openIncidentStore({ dir: mkdtempSync(join(tmpdir(), 'jm-ntf-')), retentionDays: 30, now: Date.now, log });
      assert.ok(store.ok);
      const incidents = createIncidentService({
        node: { id: 'n1', name: 'Node 1' },
        config: testConfig({ targets: [{ id: 'web', name: 'Web', service: 'web.service' }] }),
        store: store.value, log, now: Date.now, onEvent: (e) => notifier.notify(e),
      });
      const sweep = createSweep({
        targets: [{ id: 'web', name: 'Web', service: 'web.service', timeout_seconds: 15, use_sudo: false }],
        checker: { checkTargets: async () => [{ id: 'web', name: 'Web', ok: false, state: 'failed', error: 'failed' }] },
        sink: { appendStatus: async () => ({ ok: true }) },
        log, now: Date.now,
        onSample: (entry) => incidents.observeStatus(entry),
      });
      const entry = await sweep();
      assert.equal(entry?.checks[0]?.ok, false);
      // The sweep is done; the notification it caused is still waiting on the receiver.
      await rx.requests(1);
      assert.equal(notifier.pending(), 1);
      await notifier.stop(0);
      assert.ok(lines.some((l) => l.includes('open of unit web (Web) not sent: shutting down')), lines.join('\n'));
      await incidents.close();
    } finally {
      await rx.close();
    }
  });

  it('sends a channel its notifications in order, and only the events it asked for', async () => {
    const rx = await startReceiver();
    const { log } = capture();
    try {
      const notifier = createNotifier({
        channels: [channel(`${rx.url}/all`), channel(`${rx.url}/resolve-only`, { id: 'r', on: ['resolve'] })],
        log, version: 'test',
      });
      notifier.notify(openEvent());
      notifier.notify(resolveEvent());
      await notifier.idle();
      const seen = rx.received.map((r) => `${r.path} ${JSON.parse(r.body).event}`);
      assert.deepEqual(seen.filter((s) => s.startsWith('/all')), ['/all open', '/all resolve']);
      assert.deepEqual(seen.filter((s) => s.startsWith('/resolve-only')), ['/resolve-only resolve']);
    } finally {
      await rx.close();
    }
  });

  it('when the queue is full, drops the oldest waiting notification with a log line', async () => {
    const rx = await startReceiver(() => 'hang');
    const { lines, log } = capture();
    try {
      const notifier = createNotifier({ channels: [channel(rx.url)], log, version: 'test', queueLimit: 2 });
      for (const subject of ['a', 'b', 'c', 'd']) notifier.notify(openEvent({ subject, name: subject }));
      // "a" is in flight, "b" and "c" waited; "d" pushed "b" out.
      assert.deepEqual(lines.filter((l) => l.includes('queue full')).map((l) => l.replace(/^.*WARN /, '')), [
        `notification "ops" (webhook to ${new URL(rx.url).host}): queue full (2 waiting), dropped the oldest: open of unit b`,
      ]);
      assert.equal(notifier.pending(), 3);
      await notifier.stop(0);
      assert.ok(lines.some((l) => l.includes('2 notification(s) not sent: shutting down')), lines.join('\n'));
      assert.equal(notifier.pending(), 0);
      notifier.notify(openEvent());
      assert.equal(notifier.pending(), 0, 'nothing is accepted after stop');
    } finally {
      await rx.close();
    }
  });
});

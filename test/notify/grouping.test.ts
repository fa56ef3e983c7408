/**
 * Fewer, better messages: many unit events of one sweep as one message, the
 * unit lists bounded for every format, a per-receiver rate limit that holds
 * back and logs, and the config keys that set both.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/parse.js';
import { formatIssue, type NotificationConfig } from '../../src/config/types.js';
import type { IncidentEvent } from '../../src/incidents/types.js';
import { createLogger } from '../../src/log.js';
import { discordBody } from '../../src/notify/discord.js';
import { groupEvents } from '../../src/notify/notification.js';
import { createNotifier } from '../../src/notify/notifier.js';
import { createRateWindow } from '../../src/notify/rate-limit.js';
import { slackBody } from '../../src/notify/slack.js';
import { openEvent, resolveEvent } from './fixtures.js';
import { startReceiver } from './receiver.js';
import { testNotification } from '../helpers/config.js';

const HOUR = 60 * 60 * 1000;

function unitEvents(n: number, type: 'open' | 'resolve' = 'open'): IncidentEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const e = type === 'open' ? openEvent({ id: `unit:u${i}:1`, subject: `u${i}`, name: `Unit ${i}` }) : resolveEvent();
    return type === 'open' ? e : { ...e, incident: { ...e.incident, id: `unit:u${i}:1`, subject: `u${i}`, name: `Unit ${i}` } };
  });
}

function hostEvent(units: number): IncidentEvent {
  return openEvent({
    id: 'host:no-systemd:1', kind: 'host', subject: 'no-systemd', name: 'systemd is not running (not booted with systemd)',
    states: ['no-systemd'], errors: ['System has not been booted with systemd as init system (PID 1).'],
    units: Array.from({ length: units }, (_, i) => ({ id: `u${i}`, name: `Unit ${i}` })),
  });
}

function channel(url: string, over: Partial<NotificationConfig> = {}): NotificationConfig {
  return testNotification({ id: 'ops', type: 'webhook', url, ...over });
}

describe('grouping', () => {
  it('more than the threshold of unit openings in one sweep make one group; resolutions apart; other kinds stay single', () => {
    const events = [...unitEvents(6), hostEvent(3), ...unitEvents(6, 'resolve')];
    const out = groupEvents(events, 5);
    assert.deepEqual(out.map((n) => [n.type, n.events.length, n.events[0]!.incident.kind]), [['open', 6, 'unit'], ['open', 1, 'host'], ['resolve', 6, 'unit']]);
    assert.equal(groupEvents(unitEvents(5), 5).length, 5, 'at the threshold, each goes alone');
  });

  it('a receiver gets one message listing 20 units that failed together, and one when they recover', async () => {
    const rx = await startReceiver();
    const lines: string[] = [];
    try {
      const notifier = createNotifier({ channels: [channel(rx.url)], log: createLogger({ write: (l) => lines.push(l) }), version: 't' });
      notifier.notifyAll(unitEvents(20));
      notifier.notifyAll(unitEvents(20, 'resolve'));
      await notifier.idle();
      assert.equal(rx.received.length, 2);
      const [open, resolve] = rx.received.map((r) => JSON.parse(r.body));
      assert.equal(open.event, 'open');
      assert.equal(open.count, 20);
      assert.equal(open.incidents.length, 20);
      assert.equal(open.title, '20 units failing on Node 1');
      assert.match(open.message, /Units \(20\): Unit 0 \(u0\): failed, Unit 1 \(u1\): failed, .*Unit 19 \(u19\): failed/);
      assert.equal(resolve.title, '20 units recovered on Node 1');
      assert.match(lines.join('\n'), /sent open of 20 units \(u0, u1, u2, …\)/);
    } finally {
      await rx.close();
    }
  });

  it('a list of 500 units stays inside Slack and Discord limits and says how many it left out', () => {
    const slack = slackBody(hostEvent(500));
    const fields = (slack.blocks[1] as { fields: Array<{ text: string }> }).fields;
    const units = fields.find((f) => f.text.startsWith('*Units (500)*'))!;
    assert.ok(units.text.length <= 2000);
    assert.match(units.text, /… and \d+ more$/);
    assert.match(slack.text, /Host problem: systemd is not running \(not booted with systemd\): 500 units unchecked on Node 1/);
    const discord = discordBody(groupEvents(unitEvents(500), 5)[0]!);
    for (const f of discord.embeds[0]!.fields) assert.ok(f.value.length <= 1024, f.name);
    assert.match(discord.content, /500 units failing on Node 1/);
  });
});

describe('rate limit', () => {
  it('a sliding hour: a slot frees an hour after it was taken', () => {
    const w = createRateWindow(2, HOUR);
    assert.deepEqual([w.take(0), w.take(10), w.take(20)], [true, true, false]);
    assert.equal(w.nextFreeAt(20), HOUR);
    assert.equal(w.take(HOUR), true);
    assert.throws(() => createRateWindow(0, HOUR), /positive integer/);
  });

  it('a flapping host past the limit: held back with a log line each, and the next message says how many', async () => {
    const rx = await startReceiver();
    const lines: string[] = [];
    let clock = Date.parse('2026-11-28T10:00:00Z');
    try {
      const notifier = createNotifier({
        channels: [channel(rx.url, { rate_limit_per_hour: 3 })], log: createLogger({ write: (l) => lines.push(l) }), version: 't', now: () => clock,
      });
      for (let i = 0; i < 5; i++) {
        notifier.notify(openEvent());
        notifier.notify(resolveEvent());
        clock += 60_000;
      }
      await notifier.idle();
      assert.equal(rx.received.length, 3);
      const held = lines.filter((l) => /rate limit of 3 per hour reached: held back/.test(l));
      assert.equal(held.length, 7, lines.join('\n'));
      assert.match(held[0]!, /WARN .*notification "ops" \(webhook to 127\.0\.0\.1:\d+\): rate limit of 3 per hour reached: held back resolve of unit web \(Web server\) \(1 held back since 2026-11-28T10:01:00\.000Z; sending resumes at 2026-11-28T11:00:00\.000Z\)/);
      assert.deepEqual(notifier.heldBack(), [{ receiver: 'ops', count: 7 }]);

      clock = Date.parse('2026-11-28T11:00:00Z');
      notifier.notify(openEvent());
      await notifier.idle();
      const next = JSON.parse(rx.received[3]!.body);
      assert.deepEqual(next.held_back, { count: 7, since: '2026-11-28T10:01:00.000Z', limit: 3 });
      assert.match(next.message, /Held back: 7 notifications since 2026-11-28 10:01:00 UTC \(limit 3 per hour; see the daemon log\)/);
    } finally {
      await rx.close();
    }
  });

  it('0 means no limit', async () => {
    const rx = await startReceiver();
    try {
      const notifier = createNotifier({ channels: [channel(rx.url, { rate_limit_per_hour: 0 })], log: createLogger({ write: () => {} }), version: 't' });
      for (let i = 0; i < 30; i++) notifier.notify(openEvent());
      await notifier.idle();
      assert.equal(rx.received.length, 30);
    } finally {
      await rx.close();
    }
  });
});

describe('config keys', () => {
  const base = 'targets:\n  - id: web\n    service: nginx\nnotifications:\n  - id: hook\n    type: webhook\n    url: https://hooks.example.com/x\n';
  it('group_threshold and rate_limit_per_hour are read, and default to 5 and 20', () => {
    const r = parseConfig(`${base}    group_threshold: 10\n    rate_limit_per_hour: 0\n`, { hostname: 'vm' });
    assert.ok(r.ok);
    assert.equal(r.config.notifications[0]!.group_threshold, 10);
    assert.equal(r.config.notifications[0]!.rate_limit_per_hour, 0);
    const plain = parseConfig(base, { hostname: 'vm' });
    assert.ok(plain.ok);
    assert.equal(plain.config.notifications[0]!.group_threshold, 5);
    assert.equal(plain.config.notifications[0]!.rate_limit_per_hour, 20);
  });

  it('bad values are reported with their path', () => {
    const r = parseConfig(`${base}    group_threshold: 0\n    rate_limit_per_hour: 1.5\n`, { hostname: 'vm' });
    assert.ok(!r.ok);
    const text = r.issues.map((i) => formatIssue({ path: i.path, message: i.message }));
    assert.deepEqual(text.sort(), ['notifications[0].group_threshold: must be at least 1, got 0', 'notifications[0].rate_limit_per_hour: expected a whole number, got 1.5']);
  });
});

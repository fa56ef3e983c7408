/**
 * Discord webhook: `content` (what notifications show) and one embed with the
 * facts. Mentions are disabled (`allowed_mentions`), so "@everyone" in an
 * error message pings nobody; markdown in names is escaped.
 */
import type { IncidentEvent } from '../incidents/types.js';
import { clip, facts, title } from './message.js';
import { asNotification, type Notification } from './notification.js';

export function discordEscape(text: string): string {
  return text.replace(/([\\*_~`|>#[\]()-])/g, '\\$1');
}

export interface DiscordBody {
  content: string;
  embeds: Array<{
    title: string;
    color: number;
    fields: Array<{ name: string; value: string; inline: boolean }>;
    timestamp: string;
    footer: { text: string };
  }>;
  allowed_mentions: { parse: string[] };
}

export function discordBody(x: IncidentEvent | Notification): DiscordBody {
  const e = asNotification(x);
  const open = e.type === 'open';
  const inc = e.events[0]!.incident;
  return {
    content: clip(`${open ? '🔴' : '✅'} ${discordEscape(title(e))}`, 2000),
    embeds: [
      {
        title: open ? 'Incident opened' : 'Incident resolved',
        color: open ? 0xe5484d : 0x30a46c,
        // Discord's limits: 25 fields, 256-character names, 1024-character values.
        fields: facts(e).slice(0, 25).map((f) => ({
          name: clip(f.label, 256),
          value: clip(discordEscape(f.value), 1024),
          inline: !/error/i.test(f.label),
        })),
        timestamp: open ? inc.started_at : (inc.ended_at ?? inc.last_failure_at),
        footer: { text: 'JobMonitor' },
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

/**
 * ntfy: a plain-text body with the title, tags and priority in headers
 * (https://docs.ntfy.sh/publish/). A non-ASCII title is sent RFC 2047
 * encoded, which ntfy (2.4+) decodes: HTTP header values are bytes, not text.
 */
import type { IncidentEvent } from '../incidents/types.js';
import { facts, title } from './message.js';
import { asNotification, type Notification } from './notification.js';

/** A header value as is when printable ASCII, else as one RFC 2047 encoded word. */
export function headerText(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(flat)) return flat;
  return `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

export function ntfyParts(x: IncidentEvent | Notification): { headers: Record<string, string>; body: string } {
  const e = asNotification(x);
  const open = e.type === 'open';
  return {
    headers: {
      title: headerText(title(e)),
      // Emoji short codes ntfy shows as icons, then the kind as a plain tag.
      tags: `${open ? 'rotating_light' : 'white_check_mark'},${e.events[0]!.incident.kind}`,
      priority: open ? '4' : '3',
    },
    body: facts(e).map((f) => `${f.label}: ${f.value}`).join('\n'),
  };
}

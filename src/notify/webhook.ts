/**
 * The generic JSON webhook: the event as data, plus ready-made text for
 * simple receivers. One incident: `incident`; a group (many units of one
 * sweep): `incidents` and `count` instead.
 */
import type { Incident, IncidentEventType } from '../incidents/types.js';
import type { IncidentEvent } from '../incidents/types.js';
import { plainText, title } from './message.js';
import { asNotification, isGroup, type HeldBack, type Notification } from './notification.js';

export interface WebhookBody {
  event: IncidentEventType;
  /** The incident, for a notification of one. */
  incident?: Incident;
  /** Every incident of a group, in the order they were seen. */
  incidents?: Incident[];
  /** With `incidents`: how many. */
  count?: number;
  node: { id: string; name: string };
  /** One line, e.g. `Web server (web): failed on node-a`. */
  title: string;
  /** The title and the facts, one per line. */
  message: string;
  /** Present when the receiver's rate limit held notifications back before this one. */
  held_back?: HeldBack;
}

export function webhookBody(x: IncidentEvent | Notification): WebhookBody {
  const n = asNotification(x);
  const what = isGroup(n)
    ? { incidents: n.events.map((e) => e.incident), count: n.events.length }
    : { incident: n.events[0]!.incident };
  return {
    event: n.type,
    ...what,
    node: n.node,
    title: title(n),
    message: plainText(n),
    ...(n.heldBack !== undefined ? { held_back: n.heldBack } : {}),
  };
}

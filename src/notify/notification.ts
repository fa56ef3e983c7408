/**
 * One message to a receiver: a single incident event, or many unit events of
 * the same type from one sweep grouped into one (more than the channel's
 * `group_threshold`). Pure: the notifier decides, the formats render.
 */
import type { IncidentEvent, IncidentEventType } from '../incidents/types.js';

/** Notifications held back by a receiver's rate limit before this one (told in the message). */
export interface HeldBack {
  count: number;
  /** When the first of them was held back (RFC 3339). */
  since: string;
  /** The receiver's limit per hour. */
  limit: number;
}

export interface Notification {
  type: IncidentEventType;
  /** One event, or (a group) several unit events of `type` from one sweep. */
  events: IncidentEvent[];
  node: { id: string; name: string };
  heldBack?: HeldBack;
}

/** A notification of one event. */
export function single(e: IncidentEvent): Notification {
  return { type: e.type, events: [e], node: e.node };
}

/** An event passed where a notification is expected becomes one. */
export function asNotification(x: IncidentEvent | Notification): Notification {
  return 'events' in x ? x : single(x);
}

/** True for a group of several events. */
export function isGroup(n: Notification): boolean {
  return n.events.length > 1;
}

/**
 * The messages for the events of one sweep: unit openings (and, apart,
 * unit resolutions) are one group when there are more than `threshold` of
 * them; everything else (host, peer, probe, storage) stays one message each.
 * Order: the events' order, a group where its first member was.
 */
export function groupEvents(events: readonly IncidentEvent[], threshold: number): Notification[] {
  const count = (type: IncidentEventType) => events.filter((e) => e.incident.kind === 'unit' && e.type === type).length;
  const grouped = new Set<IncidentEventType>((['open', 'resolve'] as const).filter((t) => count(t) > threshold));
  const out: Notification[] = [];
  const groups = new Map<IncidentEventType, Notification>();
  for (const e of events) {
    if (e.incident.kind !== 'unit' || !grouped.has(e.type)) {
      out.push(single(e));
      continue;
    }
    const g = groups.get(e.type);
    if (g !== undefined) g.events.push(e);
    else {
      const n: Notification = { type: e.type, events: [e], node: e.node };
      groups.set(e.type, n);
      out.push(n);
    }
  }
  return out;
}

/**
 * The words of a notification, shared by every format: a title, plain-text
 * lines, and the facts as label/value pairs. Plain text only: each format
 * escapes for its own markup. A group (many units of one sweep) and a host
 * incident list their units, bounded so every format's limits hold.
 */
import { formatDuration } from '../incidents/duration.js';
import type { AffectedUnit, IncidentEvent, IncidentKind } from '../incidents/types.js';
import { asNotification, isGroup, type Notification } from './notification.js';

/** Characters of a unit list in one fact: under Discord's 1024 per field value. */
const UNIT_LIST_CHARS = 900;

/** `2026-11-28 10:35:47 UTC`. */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const s = new Date(ms).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)} UTC`;
}

const SUBJECT: Record<IncidentKind, (name: string, subject: string) => string> = {
  unit: (name, subject) => (name === subject ? name : `${name} (${subject})`),
  peer: (name, subject) => `Peer ${name === subject ? name : `${name} (${subject})`}`,
  probe: (name) => name,
  storage: (name) => name,
  host: (name) => `Host problem: ${name}`,
};

/** What is wrong, or that it is fixed, in a few words. */
function condition(e: IncidentEvent): string {
  const { kind, states, units } = e.incident;
  if (kind === 'host') return e.type === 'resolve' ? 'cleared' : `${units?.length ?? 0} unit${units?.length === 1 ? '' : 's'} unchecked`;
  if (e.type === 'resolve') return kind === 'peer' ? 'syncing again' : 'recovered';
  if (kind === 'peer') return 'stopped syncing';
  if (kind === 'probe' || kind === 'storage') return 'failing';
  return states.length > 0 ? states.join(', ') : 'not ok';
}

function eventTitle(e: IncidentEvent): string {
  const inc = e.incident;
  const where = inc.kind === 'peer' ? `, seen from ${e.node.name}` : ` on ${e.node.name}`;
  return `${SUBJECT[inc.kind](inc.name, inc.subject)}: ${condition(e)}${where}`;
}

/** `Web server (web): failed on Node A` / `Peer b: syncing again, seen from Node A` / `12 units failing on Node A`. */
export function title(x: IncidentEvent | Notification): string {
  const n = asNotification(x);
  if (!isGroup(n)) return eventTitle(n.events[0]!);
  return `${n.events.length} units ${n.type === 'open' ? 'failing' : 'recovered'} on ${n.node.name}`;
}

/** `web, db, cache … and 480 more`, cut to `maxChars`. */
export function unitList(names: readonly string[], maxChars = UNIT_LIST_CHARS): string {
  let text = '';
  for (let i = 0; i < names.length; i++) {
    const next = text === '' ? names[i]! : `${text}, ${names[i]!}`;
    const rest = names.length - i - 1;
    const tail = rest > 0 ? ` … and ${rest} more` : '';
    if (next.length + tail.length > maxChars && text !== '') return `${text} … and ${names.length - i} more`;
    text = next;
  }
  return text;
}

const unitName = (u: AffectedUnit): string => (u.name === u.id ? u.id : `${u.name} (${u.id})`);

/** The last error, unless it only repeats a state ("failed" for a failed unit). */
function lastErrorOf(e: IncidentEvent): string | undefined {
  const inc = e.incident;
  const last = inc.errors[inc.errors.length - 1];
  return last !== undefined && !inc.states.includes(last) ? last : undefined;
}

function eventFacts(e: IncidentEvent): Array<{ label: string; value: string }> {
  const inc = e.incident;
  const out: Array<{ label: string; value: string }> = [];
  const lastError = lastErrorOf(e);
  const units = inc.units !== undefined ? { label: `Units (${inc.units.length})`, value: unitList(inc.units.map(unitName)) } : undefined;
  if (e.type === 'open') {
    if (lastError !== undefined) out.push({ label: 'Error', value: lastError });
    out.push({ label: 'Since', value: formatTime(inc.started_at) });
    if (units !== undefined) out.push(units);
  } else {
    out.push({ label: 'Down for', value: formatDuration(inc.duration_seconds) });
    out.push({ label: 'From', value: `${formatTime(inc.started_at)} to ${formatTime(inc.ended_at ?? inc.last_failure_at)}` });
    if (inc.states.length > 0 && inc.kind !== 'host') out.push({ label: 'States seen', value: inc.states.join(', ') });
    if (lastError !== undefined) out.push({ label: 'Last error', value: lastError });
    if (units !== undefined) out.push(units);
  }
  return out;
}

function groupFacts(n: Notification): Array<{ label: string; value: string }> {
  const names = n.events.map((e) => {
    const inc = e.incident;
    const name = inc.name === inc.subject ? inc.subject : `${inc.name} (${inc.subject})`;
    return n.type === 'open' && inc.states.length > 0 ? `${name}: ${inc.states.join(', ')}` : name;
  });
  const starts = n.events.map((e) => Date.parse(e.incident.started_at)).filter(Number.isFinite);
  const out = [{ label: `Units (${n.events.length})`, value: unitList(names) }];
  if (n.type === 'open' && starts.length > 0) out.push({ label: 'Since', value: formatTime(new Date(Math.min(...starts)).toISOString()) });
  return out;
}

/** Label/value pairs for formats with fields (Discord, Slack). */
export function facts(x: IncidentEvent | Notification): Array<{ label: string; value: string }> {
  const n = asNotification(x);
  const out = isGroup(n) ? groupFacts(n) : eventFacts(n.events[0]!);
  if (n.heldBack !== undefined) {
    const h = n.heldBack;
    out.push({ label: 'Held back', value: `${h.count} notification${h.count === 1 ? '' : 's'} since ${formatTime(h.since)} (limit ${h.limit} per hour; see the daemon log)` });
  }
  out.push({ label: 'Node', value: n.node.name === n.node.id ? n.node.id : `${n.node.name} (${n.node.id})` });
  return out;
}

/** Title and facts as plain text lines. */
export function plainText(x: IncidentEvent | Notification): string {
  return [title(x), ...facts(x).map((f) => `${f.label}: ${f.value}`)].join('\n');
}

/** Cuts text to `max` characters with an ellipsis (length limits of Slack and Discord fields). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

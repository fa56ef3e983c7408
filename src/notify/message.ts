/**
 * The words of a notification, shared by every format: a title, plain-text
 * lines, and the facts as label/value pairs. Plain text only: each format
 * escapes for its own markup.
 */
import { formatDuration } from '../incidents/duration.js';
import type { IncidentEvent, IncidentKind } from '../incidents/types.js';

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
};

/** What is wrong, or that it is fixed, in a few words. */
function condition(e: IncidentEvent): string {
  const { kind, states } = e.incident;
  if (e.type === 'resolve') return kind === 'peer' ? 'syncing again' : 'recovered';
  if (kind === 'peer') return 'stopped syncing';
  if (kind === 'probe' || kind === 'storage') return 'failing';
  return states.length > 0 ? states.join(', ') : 'not ok';
}

/** `Web server (web): failed on Node A` / `Peer b: syncing again, seen from Node A`. */
export function title(e: IncidentEvent): string {
  const inc = e.incident;
  const where = inc.kind === 'peer' ? `, seen from ${e.node.name}` : ` on ${e.node.name}`;
  return `${SUBJECT[inc.kind](inc.name, inc.subject)}: ${condition(e)}${where}`;
}

/** Label/value pairs for formats with fields (Discord, Slack). */
export function facts(e: IncidentEvent): Array<{ label: string; value: string }> {
  const inc = e.incident;
  const out: Array<{ label: string; value: string }> = [];
  // The original's error for a unit that is simply "failed" is "failed": no news next to the state.
  const last = inc.errors[inc.errors.length - 1];
  const lastError = last !== undefined && !inc.states.includes(last) ? last : undefined;
  if (e.type === 'open') {
    if (lastError !== undefined) out.push({ label: 'Error', value: lastError });
    out.push({ label: 'Since', value: formatTime(inc.started_at) });
  } else {
    out.push({ label: 'Down for', value: formatDuration(inc.duration_seconds) });
    out.push({ label: 'From', value: `${formatTime(inc.started_at)} to ${formatTime(inc.ended_at ?? inc.last_failure_at)}` });
    if (inc.states.length > 0) out.push({ label: 'States seen', value: inc.states.join(', ') });
    if (lastError !== undefined) out.push({ label: 'Last error', value: lastError });
  }
  out.push({ label: 'Node', value: e.node.name === e.node.id ? e.node.id : `${e.node.name} (${e.node.id})` });
  return out;
}

/** Title and facts as plain text lines. */
export function plainText(e: IncidentEvent): string {
  return [title(e), ...facts(e).map((f) => `${f.label}: ${f.value}`)].join('\n');
}

/** Cuts text to `max` characters with an ellipsis (length limits of Slack and Discord fields). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

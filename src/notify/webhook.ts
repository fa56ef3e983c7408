/** The generic JSON webhook: the event as data, plus ready-made text for simple receivers. */
import type { Incident, IncidentEvent, IncidentEventType } from '../incidents/types.js';
import { plainText, title } from './message.js';

export interface WebhookBody {
  event: IncidentEventType;
  incident: Incident;
  node: { id: string; name: string };
  /** One line, e.g. `Web server (web): failed on node-a`. */
  title: string;
  /** The title and the facts, one per line. */
  message: string;
}

export function webhookBody(e: IncidentEvent): WebhookBody {
  return { event: e.type, incident: e.incident, node: e.node, title: title(e), message: plainText(e) };
}

/**
 * Slack incoming webhook: `text` (what notifications show) and Block Kit
 * blocks. User text is escaped as Slack asks (&, <, >), so a unit name or an
 * error cannot inject a link or an @channel mention.
 */
import type { IncidentEvent } from '../incidents/types.js';
import { clip, facts, title } from './message.js';
import { asNotification, type Notification } from './notification.js';

export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface SlackBody {
  text: string;
  blocks: unknown[];
}

export function slackBody(x: IncidentEvent | Notification): SlackBody {
  const e = asNotification(x);
  const icon = e.type === 'open' ? ':red_circle:' : ':white_check_mark:';
  const head = `${icon} ${slackEscape(title(e))}`;
  return {
    text: clip(head, 3000),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(`${icon} *${slackEscape(title(e))}*`, 3000) } },
      {
        type: 'section',
        // Slack allows at most 10 fields of 2000 characters.
        fields: facts(e).slice(0, 10).map((f) => ({ type: 'mrkdwn', text: clip(`*${slackEscape(f.label)}*\n${slackEscape(f.value)}`, 2000) })),
      },
    ],
  };
}

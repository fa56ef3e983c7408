/**
 * One notification as an HTTP request, per channel type. Every type is a
 * POST of a body built from the incident event; configured headers are added
 * last, so they may override ours (e.g. Content-Type or User-Agent).
 */
import type { NotificationConfig } from '../config/types.js';
import type { IncidentEvent } from '../incidents/types.js';
import { discordBody } from './discord.js';
import type { Notification } from './notification.js';
import { ntfyParts } from './ntfy.js';
import { slackBody } from './slack.js';
import { webhookBody } from './webhook.js';

export interface OutgoingRequest {
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

/** The channel's request for this event (or grouped notification). `userAgent` e.g. `jobmonitor-ts/0.1.0`. */
export function buildRequest(channel: NotificationConfig, event: IncidentEvent | Notification, userAgent: string): OutgoingRequest {
  const json = { 'content-type': 'application/json' };
  let url = channel.url;
  let headers: Record<string, string>;
  let body: string;
  switch (channel.type) {
    case 'webhook':
      headers = json;
      body = JSON.stringify(webhookBody(event));
      break;
    case 'slack':
      headers = json;
      body = JSON.stringify(slackBody(event));
      break;
    case 'discord':
      headers = json;
      body = JSON.stringify(discordBody(event));
      break;
    case 'ntfy': {
      const parts = ntfyParts(event);
      url = channel.topic !== undefined ? `${channel.url.replace(/\/+$/, '')}/${channel.topic}` : channel.url;
      headers = { 'content-type': 'text/plain; charset=utf-8', ...parts.headers };
      body = parts.body;
      break;
    }
  }
  const merged: Record<string, string> = { 'user-agent': userAgent, ...headers };
  for (const [name, value] of Object.entries(channel.headers ?? {})) merged[name.toLowerCase()] = value;
  return { url, headers: merged, body };
}

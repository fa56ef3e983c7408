/**
 * The config file's shape: one valibot schema per section, every default in
 * DEFAULTS and applied here, so a parsed Config has a value for every key that
 * has a default (the types in types.ts are inferred from these schemas).
 * Keys and defaults are the original JobMonitor's; retention_days and the
 * top-level api_key are ours. The rules of single values are in fields.ts,
 * those spanning entries (unknown keys, duplicate ids) in rules.ts.
 */
import * as v from 'valibot';
import {
  baseUrl, dataDirectory, dnsTarget, expected, flag, frameSource, headerName, headerValue, id, isMapping, label, linkUrl, ntfyTopic, oneOf, origin,
  positiveNumber, secret, section, timeoutSeconds, unitName, wholeNumber,
} from './fields.js';

export { parseDnsTarget, type DnsTargetResult } from './dns-target.js';
export { MAX_TIMEOUT_SECONDS } from './fields.js';

/** Every default of the config file, in one place. `node_id` defaults to the host name (passed in). */
export const DEFAULTS = {
  interval_minutes: 5,
  data_directory: '.dist/data',
  peer_refresh_seconds: 60,
  retention_days: 30,
  monitor_dns: { enabled: false, target: '1.1.1.1', interval_seconds: 60, timeout_seconds: 4 },
  target: { timeout_seconds: 15, use_sudo: false },
  /** Listing a peer means wanting it; the original's zero value (false) silently ignored such peers. */
  peer: { enabled: true },
  /** Used when the host name is empty, as the original does. */
  node_id: 'jobmonitor-local',
  /** Targets: a unit's state is no noisy measurement, and at a 5-minute interval a second sample would delay the alert by 5 minutes. */
  thresholds: { failure: 1, success: 1 },
  /** The DNS probe and peer refreshes run every minute or so and fail for network reasons: ~3 minutes of failure opens an incident. */
  probe_thresholds: { failure: 3, success: 1 },
  peer_thresholds: { failure: 3, success: 1 },
  /**
   * group_threshold: more unit openings (or resolutions) than this in one sweep go out as one message.
   * rate_limit_per_hour: messages per receiver in any hour; past it they are held back and logged (0 = no limit).
   */
  notification: { timeout_seconds: 10, on: ['open', 'resolve'], group_threshold: 5, rate_limit_per_hour: 20 },
  // /metrics and badges follow the api_key; journal lines off (logs may hold secrets)
  notifications: [],
  metrics_public: false,
  badges_public: false,
  journal_lines: 0,
} as const;

/** Upper bound for journal_lines: the lines travel in every /api/node/status answer. */
export const MAX_JOURNAL_LINES = 200;

/** Consecutive samples. Past 100 an incident would open hours late at any interval: a mistake, not a setting. */
const threshold = v.nullish(wholeNumber(1, 100));
const thresholdEntries = { failure_threshold: threshold, success_threshold: threshold };
/** The top level's: the units' thresholds, which every target inherits. */
const unitThresholdEntries = {
  failure_threshold: v.nullish(wholeNumber(1, 100), DEFAULTS.thresholds.failure),
  success_threshold: v.nullish(wholeNumber(1, 100), DEFAULTS.thresholds.success),
};

interface RawThresholds {
  failure_threshold?: number | null | undefined;
  success_threshold?: number | null | undefined;
}

/**
 * A target's, peer's or the probe's own thresholds, when set. Absent ones are
 * inherited, not defaulted: a target follows the top-level thresholds, a peer
 * and the probe their kind's defaults (src/incidents/thresholds.ts resolves them).
 */
function ownThresholds(x: RawThresholds) {
  return {
    /** Ours: failing samples (refreshes, probes) in a row before an incident opens. */
    ...optional('failure_threshold', x.failure_threshold),
    /** Ours: passing samples (refreshes, probes) in a row before it closes. */
    ...optional('success_threshold', x.success_threshold),
  };
}

/** `{ [key]: value }`, or `{}` when the value is absent: optional keys stay absent rather than undefined. */
function optional<K extends string, T>(key: K, value: T | null | undefined): { [P in K]?: T } {
  return value === null || value === undefined ? {} : ({ [key]: value } as { [P in K]?: T });
}

export const NOTIFICATION_TYPES = ['webhook', 'ntfy', 'slack', 'discord'] as const;
export const NOTIFICATION_EVENTS = ['open', 'resolve'] as const;

const notificationEntries = {
  id,
  type: oneOf(NOTIFICATION_TYPES, `one of ${NOTIFICATION_TYPES.join(', ')}`),
  url: linkUrl,
  topic: v.nullish(ntfyTopic),
  headers: v.nullish(v.pipe(v.custom<Record<string, unknown>>(isMapping, expected('a mapping')), v.record(headerName, headerValue))),
  on: v.nullish(
    v.pipe(
      v.array(oneOf(NOTIFICATION_EVENTS, 'open or resolve'), expected('a list')),
      v.minLength(1, 'must list at least one of open, resolve'),
    ),
    () => [...DEFAULTS.notification.on],
  ),
  timeout_seconds: v.nullish(wholeNumber(1, 300), DEFAULTS.notification.timeout_seconds),
  group_threshold: v.nullish(wholeNumber(1, 10_000), DEFAULTS.notification.group_threshold),
  rate_limit_per_hour: v.nullish(wholeNumber(0, 100_000), DEFAULTS.notification.rate_limit_per_hour),
};

export const notificationSchema = v.pipe(
  section(notificationEntries),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const n = dataset.value;
    const topic: [v.ObjectPathItem] = [{ type: 'object', origin: 'value', input: n, key: 'topic', value: n.topic }];
    const hasTopic = n.topic !== null && n.topic !== undefined;
    if (hasTopic && n.type !== 'ntfy') addIssue({ message: 'only used with type ntfy', path: topic });
    if (!hasTopic && n.type === 'ntfy' && new URL(n.url).pathname.replace(/\/+$/, '') === '') {
      addIssue({ message: 'is required for ntfy (or give the topic in url, e.g. https://ntfy.sh/my-alerts)', path: topic });
    }
  }),
  v.transform((n) => ({
    id: n.id,
    type: n.type,
    /** http(s); for ntfy the server (the topic is appended) or the topic's full URL. */
    url: n.url,
    /** ntfy only: the topic, appended to url. */
    ...optional('topic', n.topic),
    /** Extra request headers (e.g. Authorization), names as written. */
    ...optional('headers', n.headers),
    /** Which events are sent, in this order. */
    on: NOTIFICATION_EVENTS.filter((e) => n.on.includes(e)),
    /** Per attempt. */
    timeout_seconds: n.timeout_seconds,
    /** More unit openings (or resolutions) than this in one sweep go out as one message. */
    group_threshold: n.group_threshold,
    /** Messages to this receiver in any hour; past it they are held back and logged (0 = no limit). */
    rate_limit_per_hour: n.rate_limit_per_hour,
  })),
);

const dnsEntries = {
  enabled: v.nullish(flag, DEFAULTS.monitor_dns.enabled),
  target: v.nullish(dnsTarget, DEFAULTS.monitor_dns.target),
  interval_seconds: v.nullish(wholeNumber(1), DEFAULTS.monitor_dns.interval_seconds),
  timeout_seconds: v.nullish(timeoutSeconds, DEFAULTS.monitor_dns.timeout_seconds),
  ...thresholdEntries,
};

const targetEntries = {
  id,
  name: label,
  service: unitName,
  url: v.nullish(linkUrl),
  timeout_seconds: v.nullish(timeoutSeconds, DEFAULTS.target.timeout_seconds),
  use_sudo: v.nullish(flag, DEFAULTS.target.use_sudo),
  ...thresholdEntries,
};

const peerEntries = {
  id,
  name: label,
  base_url: baseUrl,
  enabled: v.nullish(flag, DEFAULTS.peer.enabled),
  api_key: v.nullish(secret),
  ...thresholdEntries,
};

export const dnsSchema = v.pipe(
  section(dnsEntries),
  v.transform((d) => ({
    enabled: d.enabled,
    /** host, host:port, or [v6]:port; ":53" is implied when no port. */
    target: d.target,
    interval_seconds: d.interval_seconds,
    timeout_seconds: d.timeout_seconds,
    ...ownThresholds(d),
  })),
);

export const targetSchema = v.pipe(
  section(targetEntries),
  v.transform((t) => ({
    id: t.id,
    name: t.name ?? t.id,
    /** Normalised: ".service" appended when the unit has no type suffix, as systemctl does. */
    service: t.service,
    ...optional('url', t.url),
    timeout_seconds: t.timeout_seconds,
    use_sudo: t.use_sudo,
    ...ownThresholds(t),
  })),
);

/** Credentials in base_url (`https://user:pass@host`) would be sent instead of api_key's bearer token, silently. */
function hasCredentials(baseUrl: string): boolean {
  const url = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  return url !== undefined && (url.username !== '' || url.password !== '');
}

export const peerSchema = v.pipe(
  section(peerEntries),
  v.forward(
    v.check(
      (p) => !(p.api_key !== null && p.api_key !== undefined && hasCredentials(p.base_url)),
      'has a user name or password in it and api_key is set: the URL credentials would replace the api_key; remove one of them',
    ),
    ['base_url'],
  ),
  v.transform((p) => ({
    id: p.id,
    name: p.name ?? p.id,
    /** Without a trailing slash. */
    base_url: p.base_url,
    enabled: p.enabled,
    ...optional('api_key', p.api_key),
    ...ownThresholds(p),
  })),
);

const configEntries = {
  interval_minutes: v.nullish(positiveNumber, DEFAULTS.interval_minutes),
  data_directory: v.nullish(dataDirectory, DEFAULTS.data_directory),
  /** Defaults to the host name, applied in configSchema(). */
  node_id: v.nullish(id),
  node_name: label,
  peer_refresh_seconds: v.nullish(wholeNumber(1), DEFAULTS.peer_refresh_seconds),
  monitor_dns: v.nullish(dnsSchema, () => ({})),
  targets: v.nullish(
    v.pipe(v.array(targetSchema, expected('a list')), v.minLength(1, 'configuration must define at least one target')),
    () => [],
  ),
  peers: v.nullish(v.array(peerSchema, expected('a list')), () => []),
  api_key: v.nullish(secret),
  retention_days: v.nullish(wholeNumber(1), DEFAULTS.retention_days),
  /** Ours: browser origins allowed to call the API (CORS); none by default. */
  cors_origins: v.nullish(v.array(origin, expected('a list')), () => []),
  /** Ours: who may frame the dashboard (CSP frame-ancestors); nobody by default. */
  frame_ancestors: v.nullish(v.array(frameSource, expected('a list')), () => []),
  /** Ours: the largest peer response read, in bytes (the peer client's default, 8 MiB, when absent). */
  peer_max_response_bytes: v.nullish(wholeNumber(64 * 1024, 1024 * 1024 * 1024)),
  /** Ours: targets per peer, and checks per sample of a peer (5,000 when absent; docs/clusters.md). */
  peer_max_targets: v.nullish(wholeNumber(1, 1_000_000)),
  /** Ours: history entries per peer answer (100,000 when absent; docs/clusters.md). */
  peer_max_entries: v.nullish(wholeNumber(1, 10_000_000)),
  /** Ours: ask peers of ours that announce it for compact history pages (true when absent; docs/clusters.md). */
  peer_compact_wire: v.nullish(flag),
  ...unitThresholdEntries,
  notifications: v.nullish(v.array(notificationSchema, expected('a list')), () => []),
  metrics_public: v.nullish(flag, DEFAULTS.metrics_public),
  badges_public: v.nullish(flag, DEFAULTS.badges_public),
  journal_lines: v.nullish(wholeNumber(0, MAX_JOURNAL_LINES), DEFAULTS.journal_lines),
};

/** node_id when the file has none: the host name, or DEFAULTS.node_id for a host without one. */
export function defaultNodeId(hostname: string): string {
  return hostname.trim() === '' ? DEFAULTS.node_id : hostname.trim();
}

/** The whole file. `hostname` is node_id's default (and, through it, node_name's). */
export function configSchema(hostname: string) {
  return v.pipe(
    section(configEntries),
    v.transform((c) => {
      const nodeId = c.node_id ?? defaultNodeId(hostname);
      return {
        /** May be fractional (ours: lets tests run fast); the wire shows it rounded, at least 1. */
        interval_minutes: c.interval_minutes,
        data_directory: c.data_directory,
        node_id: nodeId,
        node_name: c.node_name ?? nodeId,
        peer_refresh_seconds: c.peer_refresh_seconds,
        monitor_dns: c.monitor_dns,
        targets: c.targets,
        peers: c.peers,
        /** Ours: when set, every /api/* route requires `Authorization: Bearer <api_key>`. */
        ...optional('api_key', c.api_key),
        /** Ours: days of history kept on disk and in memory; whole daily segments older than this plus one day are removed. */
        retention_days: c.retention_days,
        /** Ours: browser origins allowed to call the API (CORS), e.g. "https://intranet.example.com"; "*" for any. */
        cors_origins: c.cors_origins,
        /** Ours: CSP frame-ancestors sources allowed to embed the page in a frame (none: 'none'). */
        frame_ancestors: c.frame_ancestors,
        /** Ours: the largest response read from a peer, in bytes; absent: the peer client's default (src/peers/limits.ts). */
        ...optional('peer_max_response_bytes', c.peer_max_response_bytes),
        /** Ours: targets a peer may list, and checks in one of its samples; absent: src/peers/limits.ts's default. */
        ...optional('peer_max_targets', c.peer_max_targets),
        /** Ours: history (and connectivity) entries one peer answer may hold; absent: src/peers/limits.ts's default. */
        ...optional('peer_max_entries', c.peer_max_entries),
        /** Ours: read history pages from peers of ours that announce `cols` in the compact form; absent: true (docs/clusters.md). */
        ...optional('peer_compact_wire', c.peer_compact_wire),
        /** Ours: failing samples in a row before a unit's (or a host cause's) incident opens; a target may set its own. */
        failure_threshold: c.failure_threshold,
        /** Ours: passing samples in a row before it closes; a target may set its own. */
        success_threshold: c.success_threshold,
        /** Ours: where incident openings and resolutions are sent. */
        notifications: c.notifications,
        /** Ours: serve /metrics without the api_key (default: it needs the key like /api/*). */
        metrics_public: c.metrics_public,
        /** Ours: serve /api/badge/* without the api_key, for READMEs. */
        badges_public: c.badges_public,
        /** Ours: last journal lines shown for a unit that is not ok, in /api/node/status (0 = off: logs may hold secrets). */
        journal_lines: c.journal_lines,
      };
    }),
  );
}

/** The keys each section accepts (rules.ts reports the others), taken from the schemas so the two cannot drift apart. */
export const SECTION_KEYS = {
  config: Object.keys(configEntries),
  monitor_dns: Object.keys(dnsEntries),
  target: Object.keys(targetEntries),
  peer: Object.keys(peerEntries),
  notification: Object.keys(notificationEntries),
} as const;

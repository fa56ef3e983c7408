/**
 * The config file's shape: one valibot schema per section, defaults in DEFAULTS.
 *
 * Keys and defaults are the original JobMonitor's; retention_days and the
 * top-level api_key are ours. Rules that span entries (unknown keys, duplicate
 * ids) are plain functions over the raw data at the bottom: valibot skips a
 * section's own checks as soon as one of its fields is wrong, and every problem
 * is to be reported at once.
 */
import { isIP } from 'node:net';
import * as v from 'valibot';
import type { Config, DnsMonitorConfig, NotificationConfig, NotificationEvent, NotificationType, PeerConfig, TargetConfig } from './types.js';
import { normalizeUnitName } from './unit-name.js';

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
  metrics_public: false,
  badges_public: false,
  journal_lines: 0,
} as const;

/** Upper bound for journal_lines: the lines travel in every /api/node/status answer. */
export const MAX_JOURNAL_LINES = 200;

/** Upper bound for every timeout_seconds: a check that may run longer is a mistake, not a setting. */
export const MAX_TIMEOUT_SECONDS = 3600;

/** Path segments of a finding: keys and list indexes, e.g. ["targets", 2, "service"]. */
export type PathKey = string | number;

/**
 * A problem found in the data, before it is placed in the source.
 * `at` says what to point at: the key itself (unknown keys) or its value. A
 * missing key has no place of its own; the enclosing mapping is shown instead.
 */
export interface Finding {
  path: PathKey[];
  message: string;
  at: 'key' | 'value';
}

// ---------------------------------------------------------------- messages

/** How a wrong value is shown in a message: `string "abc"`, `number 1.5`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
    case 'number':
    case 'boolean':
    case 'bigint': return `${typeof value} ${String(value)}`;
    case 'object': return value instanceof Date ? 'a date' : 'a mapping';
    default: return `a ${typeof value}`;
  }
}

/** A missing value reads better as "is required" than as "expected a string, got nothing". */
const expected = (what: string) => (issue: v.BaseIssue<unknown>): string =>
  issue.input === null || issue.input === undefined ? 'is required' : `expected ${what}, got ${describeValue(issue.input)}`;

/** Runs `problem` on a value that passed its type check; its answer becomes the issue's message. */
function rule<T>(problem: (value: T) => string | undefined) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const message = problem(dataset.value);
    if (message !== undefined) addIssue({ message });
  });
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A mapping with the given keys. Unknown keys are reported by findUnknownKeys, not here. */
function section<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isMapping, expected('a mapping')),
    v.object(entries, 'is required'),
  );
}

// ---------------------------------------------------------------- fields

const ID_CHAR = /[A-Za-z0-9_.:-]/;

function idProblem(id: string): string | undefined {
  if (id.trim() === '') return 'must not be empty';
  const bad = [...id].find((ch) => !ID_CHAR.test(ch));
  // Ids appear in URLs and in "<node>::<service>" keys, hence the narrow alphabet.
  if (bad !== undefined) return `contains ${describeCharacter(bad)}; ids may use only letters, digits, "_", ".", ":" and "-"`;
  if (id === '.' || id === '..') return `must not be "${id}"`;
  return undefined;
}

/** `a space`, `a tab`, or the character quoted. */
export function describeCharacter(ch: string): string {
  const named: Record<string, string> = { ' ': 'a space', '\t': 'a tab', '\n': 'a newline', '\r': 'a carriage return' };
  return named[ch] ?? JSON.stringify(ch);
}

const text = v.string(expected('a string'));
const nonBlank = rule<string>((s) => (s.trim() === '' ? 'must not be empty' : undefined));
const id = v.pipe(text, rule(idProblem));
/** Display names: a blank one counts as missing, so the id is shown instead. */
const label = v.nullish(v.pipe(text, v.transform((s) => (s.trim() === '' ? undefined : s))));

const unitName = v.pipe(
  text,
  nonBlank,
  v.rawTransform<string, string>(({ dataset, addIssue, NEVER }) => {
    const result = normalizeUnitName(dataset.value);
    if (result.ok) return result.unit;
    addIssue({ message: `not a valid systemd unit name: ${result.reason}` });
    return NEVER;
  }),
);

const dataDirectory = v.pipe(
  text,
  rule((s) => (s.trim() === '' ? 'must not be empty' : /[\u0000-\u001f]/.test(s) ? 'contains a control character' : undefined)),
);

/** Sent as `Authorization: Bearer <key>`, so it must be a valid header value. */
const secret = v.pipe(
  text,
  rule((s) => (s === '' ? 'must not be empty' : /^[\x21-\x7e]+$/.test(s) ? undefined : 'may contain only printable ASCII characters without spaces')),
);

/** YAML 1.1 booleans, which the original (yaml.v3 decoding into a Go bool) also accepts. */
const YAML11_BOOLEANS: Readonly<Record<string, boolean>> = {
  y: true, Y: true, yes: true, Yes: true, YES: true, on: true, On: true, ON: true,
  n: false, N: false, no: false, No: false, NO: false, off: false, Off: false, OFF: false,
};

const flag = v.pipe(
  v.custom<boolean | string>(
    (x) => typeof x === 'boolean' || (typeof x === 'string' && Object.hasOwn(YAML11_BOOLEANS, x)),
    expected('true or false'),
  ),
  v.transform((x) => (typeof x === 'boolean' ? x : YAML11_BOOLEANS[x] === true)),
);

const number = v.number(expected('a number'));

/** interval_minutes may be fractional (tests run with 0.05). */
const positiveNumber = v.pipe(
  number,
  rule((n) => (!Number.isFinite(n) ? `expected a finite number, got ${n}` : n <= 0 ? `must be greater than 0, got ${n}` : undefined)),
);

function wholeNumber(min: number, max?: number) {
  return v.pipe(
    number,
    rule((n) => {
      if (!Number.isInteger(n)) return `expected a whole number, got ${n}`;
      if (n < min) return `must be at least ${min}, got ${n}`;
      if (max !== undefined && n > max) return `must be at most ${max}, got ${n}`;
      return undefined;
    }),
  );
}

const timeoutSeconds = wholeNumber(1, MAX_TIMEOUT_SECONDS);

function parseHttpUrl(raw: string): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `not an absolute http(s) URL: ${JSON.stringify(raw)}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must start with http:// or https://, got ${JSON.stringify(raw)}`;
  }
  return url;
}

const linkUrl = v.pipe(text, rule((s) => {
  const url = parseHttpUrl(s);
  return typeof url === 'string' ? url : undefined;
}));

/** The peer's root; API paths are appended to it, so no query, fragment or trailing slash. */
const baseUrl = v.pipe(
  text,
  v.rawTransform<string, string>(({ dataset, addIssue, NEVER }) => {
    const url = parseHttpUrl(dataset.value);
    if (typeof url === 'string') {
      addIssue({ message: url });
      return NEVER;
    }
    if (url.search !== '' || url.hash !== '') {
      addIssue({ message: `must not have a query or fragment, got ${JSON.stringify(dataset.value)}` });
      return NEVER;
    }
    return url.href.replace(/\/+$/, '');
  }),
);

export type DnsTargetResult = { ok: true; host: string; port: number } | { ok: false; reason: string };

/**
 * Splits a DNS probe target into host and port: `host`, `host:port`, `[v6]`,
 * `[v6]:port` or a bare IPv6 address. Port 53 when none is given.
 */
export function parseDnsTarget(raw: string): DnsTargetResult {
  const target = raw.trim();
  if (target === '') return { ok: false, reason: 'must not be empty' };
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(target);
  if (bracketed !== null) {
    const host = bracketed[1] ?? '';
    if (isIP(host) !== 6) return { ok: false, reason: `${JSON.stringify(host)} in brackets is not an IPv6 address` };
    return withPort(host, bracketed[2]);
  }
  const colons = target.split(':').length - 1;
  if (colons >= 2) {
    if (isIP(target) === 6) return { ok: true, host: target, port: 53 };
    return { ok: false, reason: `${JSON.stringify(target)} is not an IPv6 address (write [address]:port to give a port)` };
  }
  const [host = '', port] = target.split(':');
  const hostProblem = hostNameProblem(host);
  if (hostProblem !== undefined) return { ok: false, reason: hostProblem };
  return withPort(host, port);
}

function withPort(host: string, port: string | undefined): DnsTargetResult {
  if (port === undefined) return { ok: true, host, port: 53 };
  const n = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
  if (!(n >= 1 && n <= 65535)) return { ok: false, reason: `port must be between 1 and 65535, got ${JSON.stringify(port)}` };
  return { ok: true, host, port: n };
}

function hostNameProblem(host: string): string | undefined {
  if (isIP(host) === 4) return undefined;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  const labels = name.split('.');
  const validLabel = (l: string) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l);
  if (name.length === 0 || name.length > 253 || !labels.every(validLabel)) {
    return `${JSON.stringify(host)} is not a valid host name or IP address`;
  }
  if (labels.every((l) => /^[0-9]+$/.test(l))) return `${JSON.stringify(host)} is not a valid IPv4 address`;
  return undefined;
}

const dnsTarget = v.pipe(
  text,
  v.rawTransform<string, string>(({ dataset, addIssue, NEVER }) => {
    const parsed = parseDnsTarget(dataset.value);
    if (parsed.ok) return dataset.value.trim();
    addIssue({ message: `expected host, host:port or [IPv6]:port: ${parsed.reason}` });
    return NEVER;
  }),
);

/** A browser origin allowed to call the API (CORS): scheme://host[:port], or "*". */
const origin = v.pipe(
  text,
  v.rawTransform<string, string>(({ dataset, addIssue, NEVER }) => {
    const raw = dataset.value.trim();
    if (raw === '*') return raw;
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== raw.replace(/\/$/, '')) {
      addIssue({ message: `expected an origin like https://status.example.com or http://127.0.0.1:3000 (no path), got ${JSON.stringify(raw)}` });
      return NEVER;
    }
    return url.origin;
  }),
);

/** A CSP frame-ancestors source: an origin, "'self'" or "*". */
const frameSource = v.pipe(
  text,
  v.rawTransform<string, string>(({ dataset, addIssue, NEVER }) => {
    const raw = dataset.value.trim();
    if (raw === "'self'" || raw === '*' || /^https?:\/\/[A-Za-z0-9.*-]+(?::\d{1,5})?$/.test(raw)) return raw;
    addIssue({ message: `expected 'self', * or an origin like https://intranet.example.com, got ${JSON.stringify(raw)}` });
    return NEVER;
  }),
);

// ---------------------------------------------------------------- incidents and notifications (ours; src/incidents, src/notify)

/** Consecutive samples. Past 100 an incident would open hours late at any interval: a mistake, not a setting. */
const threshold = v.nullish(wholeNumber(1, 100));
const thresholdEntries = { failure_threshold: threshold, success_threshold: threshold };

/** The thresholds that were set; absent ones take their default in src/incidents/thresholds.ts. */
function thresholdsOf(x: { failure_threshold?: number | null | undefined; success_threshold?: number | null | undefined }) {
  return {
    ...(x.failure_threshold === null || x.failure_threshold === undefined ? {} : { failure_threshold: x.failure_threshold }),
    ...(x.success_threshold === null || x.success_threshold === undefined ? {} : { success_threshold: x.success_threshold }),
  };
}

const NOTIFICATION_TYPES: readonly NotificationType[] = ['webhook', 'ntfy', 'slack', 'discord'];
const NOTIFICATION_EVENTS: readonly NotificationEvent[] = ['open', 'resolve'];

function oneOf<T extends string>(options: readonly T[], what: string) {
  return v.pipe(
    text,
    rule((s) => ((options as readonly string[]).includes(s) ? undefined : `expected ${what}, got ${describeValue(s)}`)),
    v.transform((s) => s as T),
  );
}

/** ntfy's own topic rule. */
const ntfyTopic = v.pipe(text, rule((s) => (/^[-_A-Za-z0-9]{1,64}$/.test(s) ? undefined : `expected 1 to 64 letters, digits, "-" or "_", got ${describeValue(s)}`)));

/** Set by the HTTP client from the request itself; overriding them breaks the request. */
const RESERVED_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection'];

const headerName = v.pipe(
  v.string(),
  rule((s) => {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s)) return `${JSON.stringify(s)} is not a valid HTTP header name`;
    if (RESERVED_HEADERS.includes(s.toLowerCase())) return `${JSON.stringify(s)} is set by JobMonitor itself and cannot be configured`;
    return undefined;
  }),
);

/** Numbers are accepted as written (`X-Priority: 5`). */
const headerValue = v.pipe(
  v.union([v.string(), v.number()], expected('a string')),
  v.transform((x) => String(x)),
  rule((s) => (/^[\t\x20-\x7e]*$/.test(s) ? undefined : 'may contain only printable ASCII characters')),
);

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
  /** Absent stays absent: src/notify applies DEFAULTS.notification. */
  group_threshold: v.nullish(wholeNumber(1, 10_000)),
  rate_limit_per_hour: v.nullish(wholeNumber(0, 100_000)),
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
  v.transform((n): NotificationConfig => ({
    id: n.id,
    type: n.type,
    url: n.url,
    ...(n.topic === null || n.topic === undefined ? {} : { topic: n.topic }),
    ...(n.headers === null || n.headers === undefined ? {} : { headers: n.headers }),
    on: NOTIFICATION_EVENTS.filter((e) => n.on.includes(e)),
    timeout_seconds: n.timeout_seconds,
    ...(n.group_threshold === null || n.group_threshold === undefined ? {} : { group_threshold: n.group_threshold }),
    ...(n.rate_limit_per_hour === null || n.rate_limit_per_hour === undefined ? {} : { rate_limit_per_hour: n.rate_limit_per_hour }),
  })),
);

// ---------------------------------------------------------------- sections

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
  v.transform((d): DnsMonitorConfig => ({
    enabled: d.enabled,
    target: d.target,
    interval_seconds: d.interval_seconds,
    timeout_seconds: d.timeout_seconds,
    ...thresholdsOf(d),
  })),
);

export const targetSchema = v.pipe(
  section(targetEntries),
  v.transform((t): TargetConfig => ({
    id: t.id,
    name: t.name ?? t.id,
    service: t.service,
    ...(t.url === null || t.url === undefined ? {} : { url: t.url }),
    timeout_seconds: t.timeout_seconds,
    use_sudo: t.use_sudo,
    ...thresholdsOf(t),
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
  v.transform((p): PeerConfig => ({
    id: p.id,
    name: p.name ?? p.id,
    base_url: p.base_url,
    enabled: p.enabled,
    ...(p.api_key === null || p.api_key === undefined ? {} : { api_key: p.api_key }),
    ...thresholdsOf(p),
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
  ...thresholdEntries,
  notifications: v.nullish(v.array(notificationSchema, expected('a list'))),
  metrics_public: v.nullish(flag),
  badges_public: v.nullish(flag),
  journal_lines: v.nullish(wholeNumber(0, MAX_JOURNAL_LINES)),
};

/** node_id when the file has none: the host name, or DEFAULTS.node_id for a host without one. */
export function defaultNodeId(hostname: string): string {
  return hostname.trim() === '' ? DEFAULTS.node_id : hostname.trim();
}

/** The whole file. `hostname` is node_id's default (and, through it, node_name's). */
export function configSchema(hostname: string) {
  return v.pipe(
    section(configEntries),
    v.transform((c): Config => {
      const nodeId = c.node_id ?? defaultNodeId(hostname);
      return {
        interval_minutes: c.interval_minutes,
        data_directory: c.data_directory,
        node_id: nodeId,
        node_name: c.node_name ?? nodeId,
        peer_refresh_seconds: c.peer_refresh_seconds,
        monitor_dns: c.monitor_dns,
        targets: c.targets,
        peers: c.peers,
        ...(c.api_key === null || c.api_key === undefined ? {} : { api_key: c.api_key }),
        retention_days: c.retention_days,
        cors_origins: c.cors_origins,
        frame_ancestors: c.frame_ancestors,
        ...(c.peer_max_response_bytes === null || c.peer_max_response_bytes === undefined ? {} : { peer_max_response_bytes: c.peer_max_response_bytes }),
        ...(c.peer_max_targets === null || c.peer_max_targets === undefined ? {} : { peer_max_targets: c.peer_max_targets }),
        ...(c.peer_max_entries === null || c.peer_max_entries === undefined ? {} : { peer_max_entries: c.peer_max_entries }),
        ...(c.peer_compact_wire === null || c.peer_compact_wire === undefined ? {} : { peer_compact_wire: c.peer_compact_wire }),
        ...thresholdsOf(c),
        ...(c.notifications === null || c.notifications === undefined ? {} : { notifications: c.notifications }),
        // Defaults applied here; configs built by hand (tests) may leave them out
        metrics_public: c.metrics_public ?? DEFAULTS.metrics_public,
        badges_public: c.badges_public ?? DEFAULTS.badges_public,
        journal_lines: c.journal_lines ?? DEFAULTS.journal_lines,
      };
    }),
  );
}

// ---------------------------------------------------------------- rules across entries

/** The keys each section accepts, taken from the schemas so the two cannot drift apart. */
export const SECTION_KEYS = {
  config: Object.keys(configEntries),
  monitor_dns: Object.keys(dnsEntries),
  target: Object.keys(targetEntries),
  peer: Object.keys(peerEntries),
  notification: Object.keys(notificationEntries),
} as const;

/**
 * Every key the schema does not know, at any level, with a suggestion when one
 * is close (`unknown key (did you mean "service"?)`). Only mappings are looked
 * into; a section of the wrong type is the schema's to report.
 */
export function findUnknownKeys(raw: unknown): Finding[] {
  const found: Finding[] = [];
  const check = (value: unknown, known: readonly string[], path: PathKey[]) => {
    if (!isMapping(value)) return;
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const suggestion = closestKey(key, known);
      found.push({
        path: [...path, key],
        message: suggestion === undefined ? 'unknown key' : `unknown key (did you mean "${suggestion}"?)`,
        at: 'key',
      });
    }
  };
  check(raw, SECTION_KEYS.config, []);
  if (!isMapping(raw)) return found;
  check(raw.monitor_dns, SECTION_KEYS.monitor_dns, ['monitor_dns']);
  const lists = [['targets', SECTION_KEYS.target], ['peers', SECTION_KEYS.peer], ['notifications', SECTION_KEYS.notification]] as const;
  for (const [name, known] of lists) {
    const list = raw[name];
    if (Array.isArray(list)) list.forEach((item, i) => check(item, known, [name, i]));
  }
  return found;
}

/**
 * Duplicate target ids, duplicate peer ids, and a peer that has this node's own
 * id. Looks only at ids that are non-empty strings; other id problems are the
 * schema's.
 */
export function findIdConflicts(raw: unknown, hostname: string): Finding[] {
  if (!isMapping(raw)) return [];
  const found: Finding[] = [];
  const ids = (name: 'targets' | 'peers' | 'notifications') => {
    const list = raw[name];
    if (!Array.isArray(list)) return [];
    return list.flatMap((item, i) => {
      const value = isMapping(item) ? item.id : undefined;
      return typeof value === 'string' && value.trim() !== '' ? [{ id: value, i }] : [];
    });
  };
  for (const [name, noun] of [['targets', 'target'], ['peers', 'peer'], ['notifications', 'notification']] as const) {
    const first = new Map<string, number>();
    for (const { id: value, i } of ids(name)) {
      const earlier = first.get(value);
      if (earlier === undefined) first.set(value, i);
      else found.push({ path: [name, i, 'id'], message: `duplicate ${noun} id "${value}" (also used by ${name}[${earlier}])`, at: 'value' });
    }
  }
  const nodeId = typeof raw.node_id === 'string' && raw.node_id.trim() !== '' ? raw.node_id : defaultNodeId(hostname);
  for (const { id: value, i } of ids('peers')) {
    if (value === nodeId) found.push({ path: ['peers', i, 'id'], message: `peer id "${value}" is this node's own node_id`, at: 'value' });
  }
  return found;
}

/** A known key within edit distance 2, or one the unknown key is a prefix of ("timeout" -> "timeout_seconds"). */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  if (best !== undefined) return best.key;
  return lower.length >= 3 ? known.find((candidate) => candidate.startsWith(lower)) : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

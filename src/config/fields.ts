/**
 * The rules of single config values (ids, unit names, URLs, numbers, YAML 1.1
 * booleans, origins, headers) and how a wrong value is described. Each is a
 * valibot schema whose messages say what was expected and what was found.
 */
import * as v from 'valibot';
import { parseDnsTarget } from './dns-target.js';
import { normalizeUnitName } from './unit-name.js';

/** Upper bound for every timeout_seconds: a check that may run longer is a mistake, not a setting. */
export const MAX_TIMEOUT_SECONDS = 3600;

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
export const expected = (what: string) => (issue: v.BaseIssue<unknown>): string =>
  issue.input === null || issue.input === undefined ? 'is required' : `expected ${what}, got ${describeValue(issue.input)}`;

/** Runs `problem` on a value that passed its type check; its answer becomes the issue's message. */
export function rule<T>(problem: (value: T) => string | undefined) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const message = problem(dataset.value);
    if (message !== undefined) addIssue({ message });
  });
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A mapping with the given keys. Unknown keys are reported by findUnknownKeys, not here. */
export function section<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isMapping, expected('a mapping')),
    v.object(entries, 'is required'),
  );
}

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

export const text = v.string(expected('a string'));
const nonBlank = rule<string>((s) => (s.trim() === '' ? 'must not be empty' : undefined));
export const id = v.pipe(text, rule(idProblem));
/** Display names: a blank one counts as missing, so the id is shown instead. */
export const label = v.nullish(v.pipe(text, v.transform((s) => (s.trim() === '' ? undefined : s))));

export const unitName = v.pipe(
  text,
  nonBlank,
  v.rawTransform<string, string>(({ dataset, addIssue, NEVER }) => {
    const result = normalizeUnitName(dataset.value);
    if (result.ok) return result.unit;
    addIssue({ message: `not a valid systemd unit name: ${result.reason}` });
    return NEVER;
  }),
);

export const dataDirectory = v.pipe(
  text,
  rule((s) => (s.trim() === '' ? 'must not be empty' : /[\u0000-\u001f]/.test(s) ? 'contains a control character' : undefined)),
);

/** Sent as `Authorization: Bearer <key>`, so it must be a valid header value. */
export const secret = v.pipe(
  text,
  rule((s) => (s === '' ? 'must not be empty' : /^[\x21-\x7e]+$/.test(s) ? undefined : 'may contain only printable ASCII characters without spaces')),
);

/** YAML 1.1 booleans, which the original (yaml.v3 decoding into a Go bool) also accepts. */
const YAML11_BOOLEANS: Readonly<Record<string, boolean>> = {
  y: true, Y: true, yes: true, Yes: true, YES: true, on: true, On: true, ON: true,
  n: false, N: false, no: false, No: false, NO: false, off: false, Off: false, OFF: false,
};

export const flag = v.pipe(
  v.custom<boolean | string>(
    (x) => typeof x === 'boolean' || (typeof x === 'string' && Object.hasOwn(YAML11_BOOLEANS, x)),
    expected('true or false'),
  ),
  v.transform((x) => (typeof x === 'boolean' ? x : YAML11_BOOLEANS[x] === true)),
);

const number = v.number(expected('a number'));

/** interval_minutes may be fractional (tests run with 0.05). */
export const positiveNumber = v.pipe(
  number,
  rule((n) => (!Number.isFinite(n) ? `expected a finite number, got ${n}` : n <= 0 ? `must be greater than 0, got ${n}` : undefined)),
);

export function wholeNumber(min: number, max?: number) {
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

export const timeoutSeconds = wholeNumber(1, MAX_TIMEOUT_SECONDS);

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

export const linkUrl = v.pipe(text, rule((s) => {
  const url = parseHttpUrl(s);
  return typeof url === 'string' ? url : undefined;
}));

/** The peer's root; API paths are appended to it, so no query, fragment or trailing slash. */
export const baseUrl = v.pipe(
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

export const dnsTarget = v.pipe(
  text,
  v.rawTransform<string, string>(({ dataset, addIssue, NEVER }) => {
    const parsed = parseDnsTarget(dataset.value);
    if (parsed.ok) return dataset.value.trim();
    addIssue({ message: `expected host, host:port or [IPv6]:port: ${parsed.reason}` });
    return NEVER;
  }),
);

/** A browser origin allowed to call the API (CORS): scheme://host[:port], or "*". */
export const origin = v.pipe(
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
export const frameSource = v.pipe(
  text,
  v.rawTransform<string, string>(({ dataset, addIssue, NEVER }) => {
    const raw = dataset.value.trim();
    if (raw === "'self'" || raw === '*' || /^https?:\/\/[A-Za-z0-9.*-]+(?::\d{1,5})?$/.test(raw)) return raw;
    addIssue({ message: `expected 'self', * or an origin like https://intranet.example.com, got ${JSON.stringify(raw)}` });
    return NEVER;
  }),
);

export function oneOf<T extends string>(options: readonly T[], what: string) {
  return v.pipe(
    text,
    rule((s) => ((options as readonly string[]).includes(s) ? undefined : `expected ${what}, got ${describeValue(s)}`)),
    v.transform((s) => s as T),
  );
}

/** ntfy's own topic rule. */
export const ntfyTopic = v.pipe(text, rule((s) => (/^[-_A-Za-z0-9]{1,64}$/.test(s) ? undefined : `expected 1 to 64 letters, digits, "-" or "_", got ${describeValue(s)}`)));

/** Set by the HTTP client from the request itself; overriding them breaks the request. */
const RESERVED_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection'];

export const headerName = v.pipe(
  v.string(),
  rule((s) => {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s)) return `${JSON.stringify(s)} is not a valid HTTP header name`;
    if (RESERVED_HEADERS.includes(s.toLowerCase())) return `${JSON.stringify(s)} is set by JobMonitor itself and cannot be configured`;
    return undefined;
  }),
);

/** Numbers are accepted as written (`X-Priority: 5`). */
export const headerValue = v.pipe(
  v.union([v.string(), v.number()], expected('a string')),
  v.transform((x) => String(x)),
  rule((s) => (/^[\t\x20-\x7e]*$/.test(s) ? undefined : 'may contain only printable ASCII characters')),
);


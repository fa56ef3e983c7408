/**
 * Test helper: parses the Prometheus text exposition format (0.0.4) strictly
 * enough to catch a malformed scrape: every sample line must parse, every
 * metric must have HELP and TYPE before its samples.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  types: Map<string, string>;
  help: Map<string, string>;
  /** The value of the one sample named `name` whose labels include `labels`; throws when not exactly one matches. */
  value(name: string, labels?: Record<string, string>): number;
  /** Samples named `name` whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/;

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch));
}

function parseLabels(text: string, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const m = LABEL.exec(rest);
    if (m === null) throw new Error(`bad labels in line: ${line}`);
    out[m[1]!] = unescape(m[2]!);
    rest = rest.slice(m[0].length);
  }
  return out;
}

function parseValue(s: string, line: string): number {
  // As Go's ParseFloat, which Prometheus uses: special values in any case (prom-client writes "Nan").
  if (/^\+?inf$/i.test(s)) return Infinity;
  if (/^-inf$/i.test(s)) return -Infinity;
  if (/^nan$/i.test(s)) return NaN;
  const n = Number(s);
  if (!Number.isFinite(n)) throw new Error(`bad value in line: ${line}`);
  return n;
}

/** The family a sample belongs to (histogram and summary samples carry suffixes). */
function family(name: string, types: Map<string, string>): string {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created']) {
    if (name.endsWith(suffix) && types.has(name.slice(0, -suffix.length))) return name.slice(0, -suffix.length);
  }
  return name;
}

export function parseScrape(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const [name, ...words] = line.slice(7).split(' ');
      help.set(name!, words.join(' '));
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type ?? '')) throw new Error(`bad type: ${line}`);
      types.set(name!, type!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`unparsable line: ${line}`);
    const name = m[1]!;
    const fam = family(name, types);
    if (!types.has(fam) || !help.has(fam)) throw new Error(`sample before its HELP/TYPE: ${line}`);
    samples.push({ name, labels: parseLabels(m[2] ?? '', line), value: parseValue(m[3]!, line) });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    types,
    help,
    find,
    value(name, labels = {}) {
      const found = find(name, labels);
      if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
      return found[0]!.value;
    },
  };
}

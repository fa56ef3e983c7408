/**
 * Config text -> validated Config, or every problem with its place in the
 * source. Pure: no file I/O (load.ts reads the file).
 */
import * as v from 'valibot';
import type * as Yaml from 'yaml';
import type { Document, LineCounter, Node as YamlNode, YAMLError } from 'yaml';
import { borrowCjs } from '../cjs.js';
import { findIdConflicts, findUnknownKeys, type Finding, type PathKey } from './rules.js';
import { configSchema } from './schema.js';
import type { ConfigIssue, ParseResult } from './types.js';

export interface ParseOptions {
  /** This host's name: the default node_id (and node_name). */
  hostname: string;
}

/**
 * Parses and validates a config file's text. Never throws.
 *
 * A YAML error stops there and is reported with its line and column (the data
 * behind a broken document is not worth validating). Otherwise every problem is
 * reported, each with a path like `targets[2].service` and, when the key or value
 * is in the source, its line and column; issues come in source order.
 * An empty document is invalid: it defines no target.
 */
export function parseConfig(text: string, opts: ParseOptions): ParseResult {
  // The daemon reads its config at start and on a reload only: yaml is not kept loaded in between (~2 MB).
  return borrowCjs<typeof Yaml, ParseResult>('yaml', (yaml) => parseWith(yaml, text, opts));
}

function parseWith(yaml: typeof Yaml, text: string, opts: ParseOptions): ParseResult {
  const lineCounter = new yaml.LineCounter();
  // merge: yaml.v3, which read the original's configs, honours "<<" merge keys.
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.map((error) => yamlIssue(error, text, lineCounter)) };
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Unresolvable or exploding aliases surface only here.
    return { ok: false, issues: [{ path: '', message: `invalid YAML: ${(error as Error).message}` }] };
  }
  // A file holding only comments is an empty mapping, not a wrong type.
  if (raw === null || raw === undefined) raw = {};

  const result = v.safeParse(configSchema(opts.hostname), raw);
  const findings: Finding[] = [
    ...(result.success ? [] : result.issues.map(toFinding)),
    ...findUnknownKeys(raw),
    ...findIdConflicts(raw, opts.hostname),
  ];
  if (result.success && findings.length === 0) return { ok: true, config: result.output };
  return { ok: false, issues: inSourceOrder(findings.map((finding) => placeFinding(yaml, finding, doc, lineCounter))) };
}

/** `targets[2].service`; keys that are not plain words are quoted: `targets[0]["my key"]`. */
export function formatPath(path: readonly PathKey[]): string {
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `[${JSON.stringify(key)}]`;
      return i === 0 ? key : `.${key}`;
    })
    .join('');
}

function toFinding(issue: v.BaseIssue<unknown>): Finding {
  const path = (issue.path ?? []).map((item) => item.key as PathKey);
  return { path, message: issue.message, at: 'value' };
}

function yamlIssue(error: YAMLError, text: string, lineCounter: LineCounter): ConfigIssue {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const message = error.code === 'DUPLICATE_KEY'
    ? `duplicate key ${keyAt(text, error.pos[0])}`
    : `YAML syntax error: ${error.message}`;
  return { path: '', message, line, column: col };
}

/** The key as written at `offset`: `"service"`, or `'a b'` when the source quotes it. */
function keyAt(text: string, offset: number): string {
  const written = (/^[^\n]*?(?=\s*:(?:\s|$))/.exec(text.slice(offset))?.[0] ?? '').trim();
  return /^["']/.test(written) ? written : JSON.stringify(written);
}

/**
 * Finds the finding's key or value in the document. When the path ends early
 * (a missing key, or a key that came in through a merge), the deepest node that
 * exists below the document root is shown instead.
 */
function placeFinding(yaml: typeof Yaml, finding: Finding, doc: Document, lineCounter: LineCounter): ConfigIssue {
  const issue: ConfigIssue = { path: formatPath(finding.path), message: finding.message };
  let node: unknown = doc.contents;
  let keyNode: unknown;
  // A missing top-level key has no better place than "the whole file": no position.
  let place: unknown = finding.path.length === 0 ? node : undefined;
  for (const key of finding.path) {
    keyNode = undefined;
    if (yaml.isMap(node)) {
      const pair = node.items.find((p) => String(yaml.isScalar(p.key) ? p.key.value : p.key) === String(key));
      if (pair === undefined) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (yaml.isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (node === undefined) break;
    } else {
      break;
    }
    place = finding.at === 'key' ? (keyNode ?? node) : (startOf(node) === undefined ? (keyNode ?? node) : node);
  }
  const offset = startOf(place);
  if (offset !== undefined) {
    const { line, col } = lineCounter.linePos(offset);
    issue.line = line;
    issue.column = col;
  }
  return issue;
}

function startOf(node: unknown): number | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

/** Stable: issues with a place by line and column, then those without (e.g. a missing top-level key). */
function inSourceOrder(issues: ConfigIssue[]): ConfigIssue[] {
  const rank = (issue: ConfigIssue) => (issue.line === undefined ? Infinity : issue.line * 1e6 + (issue.column ?? 0));
  return [...issues].sort((a, b) => rank(a) - rank(b));
}

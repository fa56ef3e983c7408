/**
 * Reads a config file and hands its text to parseConfig. Unlike the original,
 * a missing file is an error, never a silent fall back to built-in defaults.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseConfig } from './parse.js';
import type { ParseOptions } from './parse.js';
import type { ParseResult } from './types.js';

/** The parse result plus the absolute path that was read. */
export type LoadResult = ParseResult & { path: string };

/**
 * Reads `path` (relative paths are taken from the process cwd) and parses it.
 * Never rejects: a file that is missing, unreadable or not UTF-8 comes back as
 * an issue with path "" (`config file not found: /etc/jobmonitor/config.yaml`).
 * `data_directory` is returned as written; resolving it is the caller's job.
 */
export async function loadConfigFile(path: string, opts: ParseOptions): Promise<LoadResult> {
  const absolute = resolve(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    return { ok: false, path: absolute, issues: [{ path: '', message: readFailure(absolute, error) }] };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, path: absolute, issues: [{ path: '', message: `config file is not valid UTF-8: ${absolute}` }] };
  }
  return { ...parseConfig(text, opts), path: absolute };
}

function readFailure(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return `config file not found: ${path}`;
    case 'EACCES':
    case 'EPERM': return `cannot read config file ${path}: permission denied`;
    case 'EISDIR': return `cannot read config file ${path}: it is a directory`;
    default: return `cannot read config file ${path}: ${(error as Error).message}`;
  }
}

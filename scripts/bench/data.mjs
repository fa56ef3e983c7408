/**
 * The generated 30-day history the history, api and peers sections share:
 * made once per bench run (scripts/gen-history.mjs) under the temp dir, and
 * removed when the run ends. `ensureData({ original: true })` also writes
 * the original's single JSON file (2.6 GB; only the history section needs it).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHistory } from '../gen-history.mjs';

let root;
let ours;
let original;

function base() {
  root ??= mkdtempSync(join(tmpdir(), 'jm-bench-data-'));
  return root;
}

/** Summary of the generated data (see generateHistory); ours under `summary.ours.dir`. */
export async function ensureData({ original: withOriginal = false, log = () => {} } = {}) {
  if (ours === undefined) {
    log('generating 30 days x 500 units x 1 minute (ours)');
    ours = await generateHistory({ out: join(base(), 'main'), original: false });
  }
  if (withOriginal && original === undefined) {
    log("generating the original's status_history.json for the same data");
    original = await generateHistory({ out: join(base(), 'main'), ours: false, original: true, endMs: ours.endMs });
  }
  return { ...ours, ...(original !== undefined ? { original: original.original } : {}) };
}

/** A fresh copy of our data directory (a daemon appends to the one it runs on). */
export async function copyOfOurs(name, log) {
  const d = await ensureData({ log });
  const dir = join(base(), name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(d.ours.dir, dir, { recursive: true });
  return dir;
}

/** A scratch directory inside the run's data root. */
export function scratch(name) {
  const dir = join(base(), name);
  rmSync(dir, { recursive: true, force: true });
  return dir;
}

export function cleanupData() {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  root = undefined;
  ours = undefined;
  original = undefined;
}

#!/usr/bin/env node
/**
 * Child process of the history section: loads one original status_history.json
 * the way the original does (read it whole, parse it whole) and reports the
 * time and the resident memory while the parsed history is held.
 *
 *   node --expose-gc scripts/bench/parse-original.mjs FILE
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const t = performance.now();
const text = readFileSync(file, 'utf8');
const history = JSON.parse(text);
const parseMs = performance.now() - t;
global.gc?.();
const rss = process.memoryUsage().rss;
console.log(JSON.stringify({ parseMs, bytes: Buffer.byteLength(text), entries: history.length, rss }));

/**
 * Keeps the documentation honest where a machine can check it: every config key
 * of the schema is in docs/configuration.md, every route of the OpenAPI document
 * is in docs/http-api.md, every page the README links to exists, and every
 * `console` example in docs/ and the README that runs offline gives the output shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SECTION_KEYS } from '../../src/config/schema.js';
import { openApiDocument } from '../../src/http/openapi-document.js';
import { MAIN, ROOT } from '../helpers/daemon.js';

const run = promisify(execFile);
const DOCS = join(ROOT, 'docs');
const read = (path: string) => readFileSync(path, 'utf8');
const pages = () => [join(ROOT, 'README.md'), ...readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => join(DOCS, f))];

test('every config key of the schema is in the configuration page', () => {
  const page = read(join(DOCS, 'configuration.md'));
  const prefix: Record<keyof typeof SECTION_KEYS, string> = {
    config: '', monitor_dns: 'monitor_dns.', target: 'targets[].', peer: 'peers[].', notification: 'notifications[].',
  };
  const missing: string[] = [];
  for (const [section, keys] of Object.entries(SECTION_KEYS) as [keyof typeof SECTION_KEYS, readonly string[]][]) {
    for (const key of keys) {
      const name = `${prefix[section]}${key}`;
      if (!page.includes(`\`${name}\``)) missing.push(name);
    }
  }
  assert.deepEqual(missing, [], `docs/configuration.md does not describe: ${missing.join(', ')}`);
});

test('every route of the OpenAPI document is in the HTTP API page', () => {
  const page = read(join(DOCS, 'http-api.md'));
  const doc = openApiDocument({ version: 't', apiKey: true, metricsPublic: false, badgesPublic: false }) as { paths: Record<string, unknown> };
  const routes = Object.keys(doc.paths);
  assert.ok(routes.length > 5, 'the OpenAPI document lists the routes');
  const missing = routes.filter((r) => !page.includes(`\`${r.replace(/\{(\w+)\}/g, '<$1>')}`));
  assert.deepEqual(missing, [], `docs/http-api.md does not describe: ${missing.join(', ')}`);
});

test('every local page a document links to exists', () => {
  const broken: string[] = [];
  for (const page of pages()) {
    const base = page.endsWith('README.md') ? ROOT : DOCS;
    for (const m of read(page).matchAll(/\]\(([^)#\s]+\.md)(#[^)]*)?\)/g)) {
      const target = m[1] ?? '';
      if (/^[a-z]+:/.test(target)) continue;
      if (!existsSync(join(base, target))) broken.push(`${page.slice(ROOT.length + 1)} -> ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

/** A ```console block: `$ command` lines, each followed by the output it must print. */
interface Example { page: string; command: string; output: string }

function examples(): { runs: Example[]; files: Map<string, Map<string, string>> } {
  const runs: Example[] = [];
  const files = new Map<string, Map<string, string>>();
  for (const page of pages()) {
    const text = read(page);
    const own = new Map<string, string>();
    for (const m of text.matchAll(/```[a-z]+ file=([\w.-]+)\n([\s\S]*?)```/g)) own.set(m[1] ?? '', m[2] ?? '');
    files.set(page, own);
    for (const m of text.matchAll(/```console\n([\s\S]*?)```/g)) {
      const lines = (m[1] ?? '').split('\n');
      let current: Example | undefined;
      for (const line of lines) {
        if (line.startsWith('$ ')) {
          current = { page, command: line.slice(2), output: '' };
          runs.push(current);
        } else if (current !== undefined && line !== '') current.output += `${line}\n`;
      }
    }
  }
  return { runs, files };
}

test('the console examples in the docs print what they show', async (t) => {
  const { runs, files } = examples();
  assert.ok(runs.length >= 2, 'the configuration page has runnable examples');
  for (const ex of runs) {
    const words = ex.command.split(' ');
    // Only the CLI runs offline; a `curl` against a running daemon is shown, not run.
    if (words[0] !== 'jobmonitor') continue;
    await t.test(`${ex.page.slice(ROOT.length + 1)}: ${ex.command}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'jm-docs-'));
      try {
        for (const [name, body] of files.get(ex.page) ?? []) writeFileSync(join(dir, name), body);
        const r = await run(process.execPath, [MAIN, ...words.slice(1)], { cwd: dir }).catch((e: { stdout: string; stderr: string }) => e);
        assert.equal(`${r.stdout}${r.stderr}`, ex.output);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

test('every module is tested in a file of its own name or listed in the development page', () => {
  const page = read(join(DOCS, 'development.md'));
  const table = page.slice(page.indexOf('## Where each module is tested'));
  const modules: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${name.name}`;
      if (name.isDirectory()) walk(rel);
      else if (name.name.endsWith('.ts')) modules.push(rel);
    }
  };
  walk('src');
  walk('workers');
  const mirrored = (m: string) => existsSync(join(ROOT, 'test', `${m.replace(/^src\//, '').replace(/\.ts$/, '')}.test.ts`));
  const entries = [...table.matchAll(/`((?:src|workers)\/[^`]+)`/g)].map((x) => x[1] ?? '');
  const patterns = entries.map((e) => new RegExp(`^${e.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`));
  const listed = (m: string) => patterns.some((re) => re.test(m));
  const missing = modules.filter((m) => !mirrored(m) && !listed(m));
  assert.deepEqual(missing, [], 'modules with no test of their own and no entry in docs/development.md');
});

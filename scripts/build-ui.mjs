#!/usr/bin/env node
/**
 * Bundles the dashboard: public/src/index.ts -> public/dist/jobmonitor.js
 * (ES2022 module, minified, with a source map) and its fetch worker
 * public/src/cluster-worker.ts -> public/dist/cluster-worker.js, and prints
 * the bundle's size raw and gzipped. `--if-needed` skips the build when the bundle is newer than every
 * source it depends on.
 *
 * Usage: node scripts/build-ui.mjs [--if-needed] [--quiet]
 * Also importable: `await buildUi({ ifNeeded, quiet })` resolves to
 * `{ built, outfile, bytes, gzipBytes }`.
 */
import { build } from 'esbuild';
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'public/src/index.ts');
const outfile = join(root, 'public/dist/jobmonitor.js');
/** The dashboard's fetch worker, beside the bundle (loaded by URL, so a separate file). */
const workerEntry = join(root, 'public/src/cluster-worker.ts');
const workerOutfile = join(root, 'public/dist/cluster-worker.js');
/** Sources of the bundle besides public/src: the shared wire types and the state classification. */
const extraInputs = [join(root, 'src/types.ts'), join(root, 'src/state.ts'), join(root, 'package-lock.json')];

/**
 * Drops the indentation between tags in the components' templates
 * (`>` newline-and-spaces `<`), which would otherwise become thousands of
 * whitespace text nodes cloned per row. Only runs containing a newline are
 * removed; spacing written on one line is kept.
 */
const compactTemplates = {
  name: 'compact-templates',
  setup(b) {
    b.onLoad({ filter: /[\\/]public[\\/]src[\\/]jm-[^\\/]+\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source
        .replace(/>[ \t]*\n\s*</g, '><')
        .replace(/>[ \t]*\n\s*\$\{/g, '>${')
        .replace(/\}[ \t]*\n\s*<(?=[a-zA-Z/!])/g, '}<');
      return { contents, loader: 'ts' };
    });
  },
};

async function newestMtime(dir) {
  let newest = 0;
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) newest = Math.max(newest, await newestMtime(p));
    else newest = Math.max(newest, (await stat(p)).mtimeMs);
  }
  return newest;
}

async function upToDate() {
  try {
    const out = (await stat(outfile)).mtimeMs;
    let newest = await newestMtime(join(root, 'public/src'));
    for (const f of extraInputs) newest = Math.max(newest, (await stat(f).catch(() => ({ mtimeMs: 0 }))).mtimeMs);
    return out >= newest;
  } catch {
    return false;
  }
}

/** Builds the bundle (or skips it when `ifNeeded` and it is current). */
export async function buildUi({ ifNeeded = false, quiet = false } = {}) {
  const built = !(ifNeeded && (await upToDate()));
  if (built) {
    const shared = {
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: true,
      legalComments: 'eof',
      tsconfig: join(root, 'public/tsconfig.json'),
      logLevel: quiet ? 'error' : 'warning',
    };
    await build({ ...shared, entryPoints: [workerEntry], outfile: workerOutfile });
    await build({ ...shared, entryPoints: [entry], outfile, plugins: [compactTemplates] });
  }
  const code = await readFile(outfile);
  const result = { built, outfile, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
  if (!quiet) {
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(
      `${built ? 'built' : 'up to date'}: ${relative(root, outfile)} ${kib(result.bytes)} raw, ${kib(result.gzipBytes)} gzip`,
    );
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = new Set(process.argv.slice(2));
  buildUi({ ifNeeded: args.has('--if-needed'), quiet: args.has('--quiet') }).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}

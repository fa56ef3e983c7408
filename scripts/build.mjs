#!/usr/bin/env node
// Builds the daemon (tsc -> dist/, then dist/src/main.js bundled, see bundleDaemon) and the
// dashboard bundle (esbuild -> public/dist/).
// With --if-needed, each part is rebuilt only when a source is newer than its output,
// so `npm start` and `npm test` stay fast after the first run.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ifNeeded = process.argv.includes('--if-needed');

/** Newest mtime (ms) of files under the given paths, skipping node_modules and outputs. */
function newest(paths, skip = new Set(['node_modules', 'dist'])) {
  let max = 0;
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) if (!skip.has(name)) walk(join(p, name));
    } else if (st.mtimeMs > max) max = st.mtimeMs;
  };
  for (const p of paths) walk(join(root, p));
  return max;
}

function stamp(path) {
  const full = join(root, path);
  return existsSync(full) ? statSync(full).mtimeMs : 0;
}

function run(cmd, args) {
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
}

/**
 * The installed command, dist/src/main.js, becomes one ES module holding the
 * daemon's code (dist/src) and its ESM dependencies (valibot), written over
 * tsc's main.js at the same place, so paths found from dist/src (src/paths.ts)
 * hold. The parts loaded on first use stay apart (bundle-*.js chunks beside
 * it); CommonJS packages are loaded with require() at run time (src/cjs.ts),
 * and got stays in node_modules. One module instead of ~150 held 1.9 MB less
 * RSS at rest (measured with 2 units: 59.3 MB against 61.2 MB). The other
 * modules of dist/src stay as tsc wrote them: the workers and the tests import them.
 */
async function bundleDaemon() {
  const { build } = await import('esbuild');
  const out = join(root, 'dist/src');
  for (const name of readdirSync(out)) if (name.startsWith('bundle-')) rmSync(join(out, name));
  await build({
    entryPoints: [join(out, 'main.js')],
    outdir: out,
    entryNames: '[name]',
    chunkNames: 'bundle-[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['got'],
    sourcemap: 'linked',
    allowOverwrite: true,
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
}

const serverInputs = ['src', 'workers', 'test', 'tsconfig.json', 'package.json'];
if (!ifNeeded || newest(serverInputs) > stamp('dist/.built')) {
  console.error('build: compiling TypeScript (src, workers, test) -> dist/');
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
  console.error('build: bundling the installed command -> dist/src/main.js');
  await bundleDaemon();
  run(process.execPath, ['-e', "require('node:fs').writeFileSync('dist/.built', new Date().toISOString())"]);
}

const uiInputs = ['public/src', 'public/tsconfig.json', 'scripts/build-ui.mjs', 'src/types.ts', 'src/wire-schema.ts', 'src/state.ts', 'src/views'];
if (existsSync(join(root, 'scripts/build-ui.mjs')) && (!ifNeeded || newest(uiInputs) > stamp('public/dist/jobmonitor.js'))) {
  // esbuild strips types without checking them: the dashboard is type-checked here.
  console.error('build: type-checking the dashboard (public/tsconfig.json)');
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'public/tsconfig.json']);
  console.error('build: bundling the dashboard -> public/dist/');
  run(process.execPath, [join(root, 'scripts/build-ui.mjs')]);
}

/**
 * Where the daemon's files are. Everything is found from this module's place,
 * dist/src/: the installed command, dist/src/main.js, is a bundle of dist/src
 * (scripts/build.mjs) written at the same place, so the same relative paths
 * hold whether this code runs bundled or as separate modules (the tests).
 */
import { fileURLToPath } from 'node:url';

/** The project root: package.json, public/, node_modules/. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A compiled worker module in dist/workers/. */
export function workerFile(name: string): URL {
  return new URL(`../workers/${name}`, import.meta.url);
}

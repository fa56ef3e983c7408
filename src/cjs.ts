/**
 * CommonJS packages (koa and its middleware, @koa/router, piscina,
 * prom-client, yaml) are loaded with require(), not `import`: an ESM import of
 * a CommonJS file runs Node's export lexer over it and builds a module facade,
 * which held 2-4 MB more RSS at rest (measured in a daemon with 2 units:
 * 64 MB against 65-68 MB). Types still come from `import type`.
 */
import { createRequire } from 'node:module';
import { sep } from 'node:path';

/** require() for the daemon's CommonJS dependencies. */
export const requireCjs: NodeJS.Require = createRequire(import.meta.url);

/**
 * Runs `use` with a package loaded for the call only. Afterwards every file of
 * the package leaves require's cache, so its code is collected with the next
 * full GC and a later call loads it again. For a package needed once in a
 * while (yaml, at start and on a reload), not one kept in use.
 */
export function borrowCjs<T, R>(name: string, use: (mod: T) => R): R {
  // A require of its own: require() records each module it loads as a child of its
  // caller, so the shared requireCjs would keep the package reachable.
  const req = createRequire(import.meta.url);
  const entry = req.resolve(name);
  const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
  const at = entry.lastIndexOf(marker);
  try {
    return use(req(name) as T);
  } finally {
    if (at >= 0) {
      const dir = entry.slice(0, at + marker.length);
      for (const file of Object.keys(req.cache)) if (file.startsWith(dir)) delete req.cache[file];
    }
  }
}

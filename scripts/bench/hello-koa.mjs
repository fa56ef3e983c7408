#!/usr/bin/env node
/**
 * The API section's baseline: a bare Koa app on 127.0.0.1 (ephemeral port,
 * printed as the first stdout line), same Node and Koa as the daemon, with no
 * middleware. Without arguments it answers "Hello World"; with a JSON file
 * `{ "<path and query>": { "identity": "<file>", "gzip": "<file>", "type": "..." } }`
 * it serves those bytes (the daemon's own answers, saved by api.mjs), the gzip
 * file when the request's Accept-Encoding names gzip.
 */
import { readFileSync } from 'node:fs';
import Koa from 'koa';

const routes = new Map();
if (process.argv[2] !== undefined) {
  for (const [path, r] of Object.entries(JSON.parse(readFileSync(process.argv[2], 'utf8')))) {
    routes.set(path, { identity: readFileSync(r.identity), gzip: r.gzip ? readFileSync(r.gzip) : undefined, type: r.type });
  }
}

const app = new Koa();
app.use((ctx) => {
  const r = routes.get(ctx.url);
  if (r === undefined) {
    ctx.body = 'Hello World';
    return;
  }
  ctx.type = r.type;
  if (r.gzip !== undefined && ctx.get('Accept-Encoding').includes('gzip')) {
    ctx.set('Content-Encoding', 'gzip');
    ctx.body = r.gzip;
  } else ctx.body = r.identity;
});
const server = app.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

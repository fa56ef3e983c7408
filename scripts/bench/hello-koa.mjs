#!/usr/bin/env node
/**
 * The API section's baseline: a bare Koa hello-world on 127.0.0.1 (ephemeral
 * port, printed as the first stdout line), same Node and Koa as the daemon.
 */
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.body = 'Hello World';
});
const server = app.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

import type Router from '@koa/router';
import { requireCjs } from '../cjs.js';

const RouterClass = requireCjs('@koa/router') as typeof Router;

/** A router of ours: case-sensitive, so "/API/…" cannot reach a route past a check made on "/api/". */
export function createRouter(): Router {
  return new RouterClass({ sensitive: true });
}

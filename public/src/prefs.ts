/**
 * What the dashboard remembers in the browser: the chosen range and the API
 * key, per JobMonitor node. Storage can be unavailable (privacy modes,
 * sandboxed frames); every access degrades to "nothing remembered".
 */
import { isRangeName, type RangeName } from './types.js';

/** The storage the dashboard uses; injectable so tests and embedders can swap it. */
export interface PrefStore {
  get(key: string): string | null;
  /** `persist` false keeps the value for this tab only. */
  set(key: string, value: string, persist: boolean): void;
  remove(key: string): void;
}

function tryStorage(pick: () => Storage): Storage | null {
  try {
    return pick();
  } catch {
    return null;
  }
}

/** localStorage for persisted values, sessionStorage for the rest. */
export function browserPrefs(): PrefStore {
  const local = tryStorage(() => window.localStorage);
  const session = tryStorage(() => window.sessionStorage);
  const attempt = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch {
      return fallback;
    }
  };
  return {
    get: (key) => attempt(() => session?.getItem(key) ?? local?.getItem(key) ?? null, null),
    set: (key, value, persist) =>
      attempt(() => {
        (persist ? session : local)?.removeItem(key);
        (persist ? local : session)?.setItem(key, value);
      }, undefined),
    remove: (key) =>
      attempt(() => {
        session?.removeItem(key);
        local?.removeItem(key);
      }, undefined),
  };
}

/** Prefs are per node: the same page may show dashboards of several nodes. */
function scope(baseUrl: string): string {
  try {
    const url = new URL(baseUrl || '/', document.baseURI);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return baseUrl;
  }
}

const keyName = (baseUrl: string): string => `jobmonitor:api-key:${scope(baseUrl)}`;
const rangeName = (baseUrl: string): string => `jobmonitor:range:${scope(baseUrl)}`;

export function readApiKey(prefs: PrefStore, baseUrl: string): string | null {
  return prefs.get(keyName(baseUrl));
}

export function saveApiKey(prefs: PrefStore, baseUrl: string, key: string, remember: boolean): void {
  prefs.set(keyName(baseUrl), key, remember);
}

export function forgetApiKey(prefs: PrefStore, baseUrl: string): void {
  prefs.remove(keyName(baseUrl));
}

export function readRange(prefs: PrefStore, baseUrl: string): RangeName | null {
  const value = prefs.get(rangeName(baseUrl));
  return isRangeName(value) ? value : null;
}

export function saveRange(prefs: PrefStore, baseUrl: string, range: RangeName): void {
  prefs.set(rangeName(baseUrl), range, true);
}

/** The range in a location hash such as `#range=30d`, or null. */
export function rangeFromHash(hash: string): RangeName | null {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get('range');
  return isRangeName(value) ? value : null;
}

/** The hash with its `range` parameter set, other parameters kept. */
export function hashWithRange(hash: string, range: RangeName): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  params.set('range', range);
  return `#${params.toString()}`;
}

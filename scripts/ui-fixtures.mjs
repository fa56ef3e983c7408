/**
 * Synthetic `/api/cluster` bodies for looking at and measuring the
 * dashboard without a daemon: a small "showcase" cluster with every state
 * the page must show (failing, transitioning, unknown, a hostile unit name,
 * a stale peer, a peer that never answered, a failing probe), and a large
 * one (default 5 nodes x 500 units). Deterministic for a given `now`.
 *
 * The shapes follow shared/reference/API.md field for field.
 */

import { prng as rng } from './prng.mjs';

const RANGE_MS = { '24h': 24 * 3600_000, '30d': 30 * 24 * 3600_000 };
const POINTS = 80;
const LABEL = {
  'state-success': 'Operational',
  'state-error': 'Unavailable',
  'state-warning': 'Transitioning',
  'state-missing': 'No data',
};
const iso = (ms) => new Date(ms).toISOString();


/**
 * 80 points; `stateAt(i)` returns 'ok' | 'error' | 'warn' | 'missing' and
 * optionally the state/error text of the samples in that bucket.
 */
function timeline(start, end, stateAt) {
  const size = (end - start) / POINTS;
  const out = [];
  for (let i = 0; i < POINTS; i++) {
    const s = start + i * size;
    const e = i === POINTS - 1 ? end : s + size;
    const { tone, state, error } = stateAt(i);
    const className = { ok: 'state-success', error: 'state-error', warn: 'state-warning', missing: 'state-missing' }[tone];
    const point = { className, label: LABEL[className], start: iso(s), end: iso(e) };
    if (tone === 'error' || tone === 'warn') {
      point.details = [0.2, 0.55, 0.9].map((f) => ({
        timestamp: iso(s + size * f),
        state,
        ...(error ? { error } : {}),
      }));
    }
    out.push(point);
  }
  return out;
}

function uptimeOf(id, name, points, intervalMin, rangeMs, lastState, lastAt) {
  const expected = Math.ceil(rangeMs / (intervalMin * 60_000));
  const perBucket = expected / POINTS;
  let passing = 0;
  let failing = 0;
  let missing = 0;
  for (const p of points) {
    if (p.className === 'state-success') passing += perBucket;
    else if (p.className === 'state-missing') missing += perBucket;
    else failing += perBucket;
  }
  passing = Math.round(passing);
  missing = Math.round(missing);
  failing = Math.max(0, expected - passing - missing) + missing;
  const total = passing + failing;
  return {
    id,
    name,
    uptime_percent: total ? Math.round((passing / total) * 10000) / 100 : 0,
    total_checks: total,
    passing,
    failing,
    missing_slots: missing,
    last_state: lastState,
    last_updated: iso(Math.floor(lastAt / 1000) * 1000),
  };
}

/**
 * A node snapshot from unit specs:
 * { id, name, service?, url?, state, ok, error?, pattern(i) -> tone spec }.
 */
function nodeSnapshot({ id, name, source, now, range, intervalMin, units, probe, extra = {} }) {
  const rangeMs = RANGE_MS[range];
  const start = now - rangeMs;
  const sampleAt = now - 47_000;
  const checks = [];
  const services = [];
  const timelines = [];
  const targets = [];
  for (const u of units) {
    const points = timeline(start, now, u.pattern);
    checks.push({
      id: u.id,
      name: u.name,
      ok: u.ok,
      state: u.state,
      ...(u.error ? { error: u.error } : {}),
      ...(u.since ? { since: iso(u.since) } : {}),
    });
    services.push(uptimeOf(u.id, u.name, points, intervalMin, rangeMs, u.state, sampleAt));
    timelines.push({ service_id: u.id, service_name: u.name, timeline: points });
    targets.push({
      id: u.id,
      name: u.name,
      service: u.service ?? `${u.id}.service`,
      ...(u.url ? { url: u.url } : {}),
      timeout_seconds: 15,
      use_sudo: false,
    });
  }
  services.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const snap = {
    node: { id, name, interval_minutes: intervalMin, ...(probe ? { connectivity_interval_seconds: 60 } : {}) },
    status: { timestamp: iso(sampleAt), checks },
    service_timelines: timelines,
    services,
    targets,
    updated_at: iso(now - 1200),
    source,
    ...extra,
  };
  if (probe) {
    const history = [];
    for (let t = now - Math.min(rangeMs, 3 * 3600_000); t <= now - 5_000; t += 60_000) {
      const ok = probe.okAt(t);
      history.push({
        target: probe.target,
        ok,
        latency_ms: ok ? probe.latency : 0,
        ...(ok ? {} : { error: probe.error }),
        checked_at: iso(t),
      });
    }
    snap.connectivity = history[history.length - 1];
    snap.connectivity_history = history;
    snap.connectivity_timeline = timeline(start, now, (i) => {
      const t = start + ((i + 0.5) * rangeMs) / POINTS;
      return probe.okAt(t) ? { tone: 'ok' } : { tone: 'error', state: 'offline', error: probe.error };
    });
  }
  return snap;
}

const ok = () => ({ tone: 'ok' });

/** A handful of nodes showing every state the page must render. */
export function showcaseCluster({ now = Date.now(), range = '24h' } = {}) {
  const rangeMs = RANGE_MS[range];
  const zima1 = nodeSnapshot({
    id: 'zima1',
    name: 'Zima1',
    source: 'local',
    now,
    range,
    intervalMin: 5,
    probe: {
      target: '1.1.1.1:53',
      latency: 12,
      error: 'dial tcp 1.1.1.1:53: i/o timeout',
      okAt: (t) => !(t > now - rangeMs * 0.42 && t < now - rangeMs * 0.4),
    },
    units: [
      { id: 'tsunamibot', name: 'Tsunami Bot', url: 'https://tsunami.example.com/', state: 'active', ok: true, pattern: ok },
      {
        id: 'jellyfin',
        name: 'Jellyfin',
        url: 'http://192.168.1.20:8096',
        state: 'active',
        ok: true,
        pattern: (i) => (i === 61 ? { tone: 'warn', state: 'activating' } : { tone: 'ok' }),
      },
      {
        id: 'backup',
        name: 'Nightly Backup',
        state: 'failed',
        ok: false,
        error: 'failed',
        pattern: (i) => (i >= 72 ? { tone: 'error', state: 'failed', error: 'failed' } : { tone: 'ok' }),
      },
      {
        id: 'nginx',
        name: 'Nginx',
        state: 'activating',
        ok: false,
        error: 'activating',
        pattern: (i) => (i === 79 ? { tone: 'warn', state: 'activating', error: 'activating' } : { tone: 'ok' }),
      },
      {
        id: 'xss',
        name: '<img src=x onerror=alert(1)>',
        url: 'javascript:alert(1)',
        state: 'inactive',
        ok: false,
        error: '<b>inactive</b>',
        pattern: (i) => (i < 20 ? { tone: 'missing' } : i > 70 ? { tone: 'error', state: 'inactive', error: '<script>alert(2)</script>' } : { tone: 'ok' }),
      },
      {
        id: 'hang',
        name: 'Hanging Service',
        state: 'unknown',
        ok: false,
        error: 'signal: killed',
        pattern: (i) => (i >= 76 ? { tone: 'missing' } : { tone: 'ok' }),
      },
    ],
  });
  const zima2 = nodeSnapshot({
    id: 'zima2',
    name: 'Zima2',
    source: 'peer',
    now: now - 12 * 60_000,
    range,
    intervalMin: 5,
    units: [
      { id: 'grafana', name: 'Grafana', url: 'https://grafana.example.com', state: 'active', ok: true, pattern: ok },
      { id: 'prometheus', name: 'Prometheus', state: 'active', ok: true, pattern: (i) => (i === 30 ? { tone: 'error', state: 'failed', error: 'failed' } : { tone: 'ok' }) },
      { id: 'postgres', name: 'PostgreSQL', state: 'active', ok: true, pattern: ok },
    ],
    extra: {
      error: 'status fetch failed: Get "http://10.0.0.12:8080/api/node/status": dial tcp 10.0.0.12:8080: connect: connection refused',
      stale: true,
      last_success_at: iso(now - 12 * 60_000),
      consecutive_failures: 24,
    },
  });
  const loggerC = {
    node: { id: 'node-c', name: 'Logger C', interval_minutes: 0 },
    connectivity_timeline: timeline(now - rangeMs, now, () => ({ tone: 'missing' })),
    services: [],
    updated_at: iso(now - 9_000),
    error: 'status fetch failed: http 404',
    source: 'peer',
    consecutive_failures: 3,
  };
  return {
    generated_at: iso(now),
    range,
    range_start: iso(now - rangeMs),
    range_end: iso(now),
    nodes: [zima1, loggerC, zima2],
  };
}

/** `nodes` x `units` healthy-ish units with scattered failures: for performance checks. */
export function largeCluster({ now = Date.now(), range = '24h', nodes = 5, units = 500, seed = 42 } = {}) {
  const rand = rng(seed);
  const rangeMs = RANGE_MS[range];
  const list = [];
  for (let n = 0; n < nodes; n++) {
    const specs = [];
    for (let u = 0; u < units; u++) {
      const r = rand();
      const failing = r < 0.02;
      const flaky = r > 0.9;
      const blips = new Set([Math.floor(rand() * 80), Math.floor(rand() * 80)]);
      specs.push({
        id: `svc-${String(u).padStart(3, '0')}`,
        name: `Service ${n + 1}.${u + 1}`,
        ...(u % 7 === 0 ? { url: `https://svc${u}.node${n + 1}.example.com/` } : {}),
        state: failing ? 'failed' : 'active',
        ok: !failing,
        ...(failing ? { error: 'failed' } : {}),
        pattern: (i) =>
          failing && i > 70
            ? { tone: 'error', state: 'failed', error: 'failed' }
            : flaky && blips.has(i)
              ? { tone: rand() < 0.5 ? 'warn' : 'error', state: 'activating' }
              : i < 3 && n === 4
                ? { tone: 'missing' }
                : { tone: 'ok' },
      });
    }
    list.push(
      nodeSnapshot({
        id: `node-${n + 1}`,
        name: `Node ${n + 1}`,
        source: n === 0 ? 'local' : 'peer',
        now,
        range,
        intervalMin: 5,
        units: specs,
        probe: { target: '9.9.9.9:53', latency: 8 + n, error: 'i/o timeout', okAt: () => true },
      }),
    );
  }
  return { generated_at: iso(now), range, range_start: iso(now - rangeMs), range_end: iso(now), nodes: list };
}

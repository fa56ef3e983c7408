/**
 * The DNS probe's target (`monitor_dns.target`): host, host:port, [v6] or
 * [v6]:port, as the probe dials it. Pure; used by the config schema and tests.
 */
import { isIP } from 'node:net';

export type DnsTargetResult = { ok: true; host: string; port: number } | { ok: false; reason: string };

/**
 * Splits a DNS probe target into host and port: `host`, `host:port`, `[v6]`,
 * `[v6]:port` or a bare IPv6 address. Port 53 when none is given.
 */
export function parseDnsTarget(raw: string): DnsTargetResult {
  const target = raw.trim();
  if (target === '') return { ok: false, reason: 'must not be empty' };
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(target);
  if (bracketed !== null) {
    const host = bracketed[1] ?? '';
    if (isIP(host) !== 6) return { ok: false, reason: `${JSON.stringify(host)} in brackets is not an IPv6 address` };
    return withPort(host, bracketed[2]);
  }
  const colons = target.split(':').length - 1;
  if (colons >= 2) {
    if (isIP(target) === 6) return { ok: true, host: target, port: 53 };
    return { ok: false, reason: `${JSON.stringify(target)} is not an IPv6 address (write [address]:port to give a port)` };
  }
  const [host = '', port] = target.split(':');
  const hostProblem = hostNameProblem(host);
  if (hostProblem !== undefined) return { ok: false, reason: hostProblem };
  return withPort(host, port);
}

function withPort(host: string, port: string | undefined): DnsTargetResult {
  if (port === undefined) return { ok: true, host, port: 53 };
  const n = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
  if (!(n >= 1 && n <= 65535)) return { ok: false, reason: `port must be between 1 and 65535, got ${JSON.stringify(port)}` };
  return { ok: true, host, port: n };
}

function hostNameProblem(host: string): string | undefined {
  if (isIP(host) === 4) return undefined;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  const labels = name.split('.');
  const validLabel = (l: string) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l);
  if (name.length === 0 || name.length > 253 || !labels.every(validLabel)) {
    return `${JSON.stringify(host)} is not a valid host name or IP address`;
  }
  if (labels.every((l) => /^[0-9]+$/.test(l))) return `${JSON.stringify(host)} is not a valid IPv4 address`;
  return undefined;
}


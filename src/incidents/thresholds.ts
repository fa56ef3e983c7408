/**
 * Which failure/success thresholds apply to a subject: a target's own, else
 * the top-level ones (defaulted by the config schema); the DNS probe's and each
 * peer's own, else their defaults (they are sampled every minute or so).
 */
import { DEFAULTS } from '../config/schema.js';
import type { Config } from '../config/types.js';
import type { Thresholds } from './tracker.js';
import type { IncidentKind } from './types.js';

export type ThresholdConfig = Pick<Config, 'targets' | 'peers' | 'monitor_dns' | 'failure_threshold' | 'success_threshold'>;

/** Thresholds per (kind, subject); unknown subjects get their kind's default. */
export function thresholdsFor(config: ThresholdConfig): (kind: IncidentKind, subject: string) => Thresholds {
  const unitDefault: Thresholds = { failure: config.failure_threshold, success: config.success_threshold };
  const targets = new Map(config.targets.map((t) => [t.id, t]));
  const peers = new Map(config.peers.map((p) => [p.id, p]));
  const dns = config.monitor_dns;
  const probe: Thresholds = {
    failure: dns.failure_threshold ?? DEFAULTS.probe_thresholds.failure,
    success: dns.success_threshold ?? DEFAULTS.probe_thresholds.success,
  };
  return (kind, subject) => {
    switch (kind) {
      case 'unit': {
        const t = targets.get(subject);
        return { failure: t?.failure_threshold ?? unitDefault.failure, success: t?.success_threshold ?? unitDefault.success };
      }
      case 'peer': {
        const p = peers.get(subject);
        return {
          failure: p?.failure_threshold ?? DEFAULTS.peer_thresholds.failure,
          success: p?.success_threshold ?? DEFAULTS.peer_thresholds.success,
        };
      }
      case 'probe':
        return probe;
      case 'storage':
        return { failure: 1, success: 1 };
      case 'host':
        // Sampled with the units, at every sweep: the units' default applies.
        return unitDefault;
    }
  };
}

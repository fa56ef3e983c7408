/**
 * A Config for tests, built by the real parser (src/config/parse.ts) from the
 * keys a test cares about, so every default is the one a user gets and a
 * fixture cannot hold a config the daemon would refuse.
 */
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/parse.js';
import { formatIssue, type Config, type NotificationConfig } from '../../src/config/types.js';

/** What a test may give: any config key, as in the file (targets and peers as lists of mappings). */
export type ConfigInput = { [K in keyof Config]?: unknown };

/**
 * Parses `input` as a config file would be; throws with every problem when it is
 * not valid. The host name (node_id's default) is "test-host".
 */
export function testConfig(input: ConfigInput): Config {
  const result = parseConfig(stringify(input), { hostname: 'test-host' });
  if (!result.ok) throw new Error(`invalid test config:\n${result.issues.map(formatIssue).join('\n')}`);
  return result.config;
}

/**
 * One `notifications` entry as the parser reads it (defaults applied, ntfy
 * topic rules checked); throws when it is not valid.
 */
export function testNotification(input: { [K in keyof NotificationConfig]?: unknown }): NotificationConfig {
  return testConfig({ targets: [{ id: 'any', service: 'any.service' }], notifications: [input] }).notifications[0]!;
}

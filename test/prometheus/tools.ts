/**
 * Test helper: the Debian prometheus and promtool binaries, and where the
 * shipped deploy/ files are. A missing binary skips with the reason outside
 * CI, and fails the test in CI (which installs them, see .ci/run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { projectRoot } from '../helpers/sandbox.js';

export const DEPLOY = join(projectRoot(), 'deploy');
export const RULES = join(DEPLOY, 'prometheus', 'jobmonitor-rules.yml');
/** promtool unit tests of RULES: the alerts, and the uptime rules apart with an hourly evaluation step. */
export const RULE_TESTS = ['jobmonitor-rules.test.yml', 'jobmonitor-rules-uptime.test.yml'].map((f) => join(DEPLOY, 'prometheus', f));
export const DASHBOARD = join(DEPLOY, 'grafana', 'jobmonitor-fleet.json');

/** Why `tool` cannot run here, or undefined when it can. */
export function missingTool(tool: string): string | undefined {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined) return `${tool} not found (${r.error.message}); apt-get install prometheus`;
  if (r.status !== 0) return `${tool} --version exited ${String(r.status)}: ${r.stderr.trim()}`;
  return undefined;
}

/**
 * True when every reason is absent. Otherwise skips `t` with the reasons, or
 * throws under CI, where these tests must run.
 */
export function gate(t: Pick<TestContext, 'skip'>, reasons: readonly (string | undefined)[], env: NodeJS.ProcessEnv = process.env): boolean {
  const why = reasons.filter((r): r is string => r !== undefined);
  if (why.length === 0) return true;
  if (env['CI']) throw new Error(`CI must run the Prometheus tests, but cannot here: ${why.join('; ')}`);
  t.skip(why.join('; '));
  return false;
}

export interface ToolResult {
  code: number | null;
  output: string;
}

/** Runs a tool (no shell) and collects stdout + stderr; killed after `timeoutMs`. */
export function runTool(file: string, args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

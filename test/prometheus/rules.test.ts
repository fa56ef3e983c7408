/**
 * The shipped Prometheus rules (deploy/prometheus/) with the real promtool:
 * `promtool check rules` accepts them, `promtool test rules` passes their
 * unit tests, and every rule has such a test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { gate, missingTool, RULE_TESTS, RULES, runTool } from './tools.js';

type RuleFile = { groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[] };
type RuleTests = { tests: { promql_expr_test?: { expr: string }[]; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] };

test('promtool check rules accepts the shipped rules', async (t) => {
  if (!gate(t, [missingTool('promtool')])) return;
  const r = await runTool('promtool', ['check', 'rules', RULES]);
  assert.equal(r.code, 0, r.output);
  const rules = (parse(readFileSync(RULES, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
  assert.match(r.output, new RegExp(`SUCCESS: ${rules.length} rules found`));
});

test('promtool test rules passes the unit tests shipped beside the rules', async (t) => {
  if (!gate(t, [missingTool('promtool')])) return;
  const r = await runTool('promtool', ['test', 'rules', ...RULE_TESTS], { cwd: dirname(RULES) });
  assert.equal(r.code, 0, r.output);
  assert.equal(r.output.match(/SUCCESS/g)?.length, RULE_TESTS.length, r.output);
});

test('every rule has a unit test, and every alert is tested both firing and not', () => {
  const rules = (parse(readFileSync(RULES, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
  const tests = RULE_TESTS.flatMap((f) => (parse(readFileSync(f, 'utf8')) as RuleTests).tests);
  const exprs = tests.flatMap((x) => x.promql_expr_test ?? []).map((e) => e.expr);
  const alerts = tests.flatMap((x) => x.alert_rule_test ?? []);
  for (const rule of rules) {
    if (rule.record !== undefined) assert.ok(exprs.some((e) => e.includes(rule.record!)), `recording rule ${rule.record} has a promql_expr_test`);
    if (rule.alert !== undefined) {
      const cases = alerts.filter((a) => a.alertname === rule.alert);
      assert.ok(cases.some((c) => c.exp_alerts.length > 0), `${rule.alert} is tested firing`);
      assert.ok(cases.some((c) => c.exp_alerts.length === 0), `${rule.alert} is tested not firing`);
    }
  }
});

test('a unit test with a wrong expectation fails (the harness can catch a broken rule)', async (t) => {
  if (!gate(t, [missingTool('promtool')])) return;
  const dir = mkdtempSync(join(tmpdir(), 'jm-promtool-'));
  try {
    copyFileSync(RULES, join(dir, 'jobmonitor-rules.yml'));
    // db was failing for half of the day: claim it was up the whole time.
    const wrong = readFileSync(RULE_TESTS.find((f) => f.endsWith('-uptime.test.yml'))!, 'utf8').replace(/value: 0\.5\n/, 'value: 1\n');
    writeFileSync(join(dir, 'wrong.test.yml'), wrong);
    const r = await runTool('promtool', ['test', 'rules', 'wrong.test.yml'], { cwd: dir });
    assert.notEqual(r.code, 0);
    assert.match(r.output, /FAILED[\s\S]*jobmonitor:target_uptime:ratio_24h/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

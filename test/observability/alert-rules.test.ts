/**
 * The alert rules' promtool unit tests (docker/observability/rules/tests/<group>.test.yaml, one
 * file per rule group) pass, and every alert has at least one test case that fires it and
 * one that keeps it quiet (an alert_rule_test without exp_alerts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fromRoot, PROMTOOL, RULE_TESTS_DIR, RULES, readText } from './lib/files.ts';
import { ruleGroups } from './lib/rules.ts';

interface RuleTestFile {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: unknown[] }[] }[];
}

const testFileOf = (group: string) => `${RULE_TESTS_DIR}/${group}.test.yaml`;

describe('alert rules (promtool test rules)', () => {
  it('has a test file for every rule group, and none for a group that does not exist', () => {
    const files = readdirSync(fromRoot(RULE_TESTS_DIR)).filter((file) => file.endsWith('.test.yaml'));
    expect(files.sort()).toEqual(ruleGroups.map((group) => `${group.name}.test.yaml`).sort());
  });

  describe.each(ruleGroups)('group $name', (group) => {
    const file = testFileOf(group.name);
    const tests = existsSync(fromRoot(file)) ? (parse(readText(file)) as RuleTestFile) : undefined;
    const cases = (tests?.tests ?? []).flatMap((test) => test.alert_rule_test ?? []);

    it('tests the rules file that Prometheus loads', () => {
      expect(tests?.rule_files).toEqual([`../${RULES.split('/').pop()}`]);
    });

    it.each(group.rules.flatMap((rule) => (rule.alert ? [rule.alert] : [])))(
      '%s has a case that fires it and one that keeps it quiet',
      (alert) => {
        const own = cases.filter((c) => c.alertname === alert);
        expect(own.filter((c) => (c.exp_alerts ?? []).length > 0).length, 'firing cases').toBeGreaterThan(0);
        expect(own.filter((c) => (c.exp_alerts ?? []).length === 0).length, 'quiet cases').toBeGreaterThan(0);
      },
    );

    it('passes its promtool unit tests', () => {
      const run = spawnSync(PROMTOOL, ['test', 'rules', fromRoot(file)], { encoding: 'utf8' });
      expect(run.error).toBeUndefined();
      expect(run.status, run.stdout + run.stderr).toBe(0);
    });
  });
});

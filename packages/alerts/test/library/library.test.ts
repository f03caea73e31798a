import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseQuery } from '@fathom/query';
import { formatRuleFile, LIBRARY_DIR, parseRuleFile, readLibrary, runRuleTests, TUNABLES } from '../../src/index.js';
import { runRuleTestFile } from './rule-test-format.js';

const DOCS = new URL('../../../../../docs/alerts/', import.meta.url).pathname;
const FIXTURES = join(LIBRARY_DIR, 'tests');
const files = readLibrary();
const alerts = files.flatMap((f) => f.groups.flatMap((g) => g.rules.map((r) => ({ file: f.name, rule: r }))));

describe('the Kubernetes alert library', () => {
  test('has the alerts the issue lists', () => {
    const names = new Set(alerts.map((a) => a.rule.alert));
    for (const n of ['KubePodCrashLooping', 'KubePodNotReady', 'KubeDeploymentReplicasMismatch', 'KubeStatefulSetReplicasMismatch', 'KubeDaemonSetReplicasMismatch',
      'KubeDeploymentRolloutStuck', 'KubeJobFailed', 'KubeContainerWaiting', 'KubeCPUThrottlingHigh', 'KubeContainerMemoryNearLimit', 'KubeNodeNotReady',
      'KubeNodeMemoryPressure', 'KubeNodeDiskPressure', 'NodeFilesystemFillingUp', 'ServiceTooFewReadyEndpoints', 'RouterDeploymentNotFullyAvailable',
      'DeploymentOverReplicatedAfterSwitch']) {
      assert.ok(names.has(n), `missing ${n}`);
    }
    assert.equal(names.size, alerts.length, 'alert names are unique');
  });

  for (const { file, rule } of alerts) {
    test(`${rule.alert ?? '?'}: parses, has severity, summary, description and a runbook section`, () => {
      assert.doesNotThrow(() => parseQuery(rule.expr));
      assert.match(rule.labels?.['severity'] ?? '', /^(info|warning|critical)$/);
      assert.ok(rule.annotations?.['summary'] && rule.annotations['description']);
      const url = rule.annotations['runbook_url'] ?? '';
      const m = /\/docs\/alerts\/([\w-]+\.md)#([a-z0-9-]+)$/.exec(url);
      assert.ok(m, `runbook_url ${url}`);
      assert.equal(m[1], file.replace(/\.yaml$/, '.md'));
      const doc = readFileSync(join(DOCS, m[1]), 'utf8');
      assert.ok(doc.split('\n').some((l) => l.startsWith('## ') && l.slice(3).trim().toLowerCase() === m[2]), `no "## ${rule.alert ?? ''}" in docs/alerts/${m[1]}`);
    });
  }

  test('every tunable token occurs in its rule', () => {
    for (const [name, t] of Object.entries(TUNABLES)) {
      const r = alerts.find((a) => a.rule.alert === name)?.rule;
      assert.ok(r, name);
      if (t.threshold !== undefined) assert.match(r.expr, new RegExp(`(?<![\\w.])${t.threshold.replace('.', '\\.')}(?![\\w.])`), name);
      if (t.selector !== undefined) assert.ok(r.expr.includes(t.selector), name);
    }
  });

  test('every alert has a unit-test fixture that makes it fire and one where it must not', () => {
    const fires = new Set<string>();
    const quiet = new Set<string>();
    for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.test.yaml'))) {
      const text = readFileSync(join(FIXTURES, f), 'utf8');
      for (const m of text.matchAll(/alertname: (\w+)\n\s+exp_alerts:( \[\])?/g)) (m[2] ? quiet : fires).add(m[1] ?? '');
    }
    for (const { rule } of alerts) {
      assert.ok(fires.has(rule.alert ?? ''), `${rule.alert ?? ''} never expected to fire`);
      assert.ok(quiet.has(rule.alert ?? ''), `${rule.alert ?? ''} never expected to stay quiet`);
    }
  });
});

describe("the library's files and fixtures under Fathom's rule loader and rule-test runner", () => {
  for (const f of files) {
    test(`${f.name} loads as a rule file (as shipped and as re-written)`, () => {
      assert.doesNotThrow(() => parseRuleFile(f.name, readFileSync(join(LIBRARY_DIR, f.name), 'utf8')));
      assert.doesNotThrow(() => parseRuleFile(f.name, formatRuleFile(f)));
    });
  }
  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.test.yaml'))) {
    test(`runRuleTests ${f}`, async () => {
      const r = await runRuleTests(join(FIXTURES, f));
      assert.deepEqual({ errors: r.errors, failures: r.tests.flatMap((t) => t.failures.map((x) => `${t.name}: ${JSON.stringify(x)}`)) }, { errors: [], failures: [] });
      assert.ok(r.ok);
    });
  }
});

describe("the library's unit-test fixtures, on Fathom's PromQL engine directly", () => {
  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.test.yaml'))) {
    test(f, async () => {
      const { mismatches } = await runRuleTestFile(join(FIXTURES, f));
      assert.deepEqual(mismatches, []);
    });
  }
});

/**
 * The golden rule files: every file in testdata/rules/good loads; every file in
 * testdata/rules/bad is refused with exactly the `line:column: message` its first line expects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RuleFileError, parseRuleFile } from '../src/index.js';

const dir = (sub: string): string => fileURLToPath(new URL(`../../testdata/rules/${sub}/`, import.meta.url));

for (const name of readdirSync(dir('good'))) {
  test(`good rule file ${name} loads`, () => {
    const spec = parseRuleFile(name, readFileSync(dir('good') + name, 'utf8'));
    assert.ok(spec.groups.length > 0);
  });
}

for (const name of readdirSync(dir('bad'))) {
  test(`bad rule file ${name} is refused at its line and column`, () => {
    const text = readFileSync(dir('bad') + name, 'utf8');
    const expected = /^# expect: (.*)$/m.exec(text)?.[1];
    assert.ok(expected, 'the file states its expected error on its first line');
    assert.throws(
      () => parseRuleFile(name, text),
      (err: unknown) => {
        assert.ok(err instanceof RuleFileError);
        const p = err.problems[0];
        assert.equal(`${p?.line}:${p?.column}: ${p?.message}`, expected);
        assert.ok(err.message.startsWith(`${name}:${p?.line}:${p?.column}: `));
        return true;
      },
    );
  });
}

test('every problem of a file is reported, in file order', () => {
  const text = ['groups:', '  - name: g', '    rules:', '      - alert: A', '        expr: up ==', '        for: 5x', '      - record: "bad name"', '        expr: up', ''].join('\n');
  assert.throws(
    () => parseRuleFile('multi.yaml', text),
    (err: unknown) => {
      assert.ok(err instanceof RuleFileError);
      assert.deepEqual(
        err.problems.map((p) => p.line),
        [5, 6, 7],
      );
      return true;
    },
  );
});

test('Fathom kinds compile to the documented PromQL', () => {
  const spec = parseRuleFile('k.yaml', readFileSync(dir('good') + 'fathom-kinds.yaml', 'utf8'));
  const rules = spec.groups[0]?.rules ?? [];
  assert.deepEqual(
    rules.map((r) => r.expr),
    [
      'sum by (namespace, workload) (rate(container_cpu_usage_seconds_total{cluster=~"eu-.*",namespace="prod"}[5m])) > 4',
      'count by (namespace) (events{namespace="prod",reason="OOMKilled"}[10m]) >= 3',
      'group by (host) (present_over_time(node_cpu_seconds_total{}[1h])) unless on (host) group by (host) (present_over_time(node_cpu_seconds_total{}[2m]))',
    ],
  );
});

test('an empty file and a file without groups load with no groups', () => {
  assert.equal(parseRuleFile('e.yaml', '').groups.length, 0);
  assert.equal(parseRuleFile('e.yaml', 'groups: []\n').groups.length, 0);
});

/** `fathom rules check` and `fathom rules test` over the alerts package's fixtures: exit codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { main } from '../src/main.js';

const alertsTestdata = (rel: string): string => fileURLToPath(new URL(`../../../../packages/alerts/testdata/${rel}`, import.meta.url));

test('rules check: 0 for a good file, 1 with line:column for a bad one', async () => {
  assert.equal(await main(['node', 'fathom', 'rules', 'check', alertsTestdata('rules/good/fathom-kinds.yaml')]), 0);
  assert.equal(await main(['node', 'fathom', 'rules', 'check', alertsTestdata('rules/bad/promql-error.yaml')]), 1);
});

test('rules test: 0 when the expectations hold, 1 when they do not', async () => {
  assert.equal(await main(['node', 'fathom', 'rules', 'test', alertsTestdata('promtool/basic.test.yaml')]), 0);
  assert.equal(await main(['node', 'fathom', 'rules', 'test', alertsTestdata('promtool/fail-wrong-expectations.test.yaml')]), 1);
});

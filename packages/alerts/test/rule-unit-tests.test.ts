/**
 * Fathom's evaluator runs the promtool-format fixtures in testdata/promtool: files named
 * `fail-*` hold wrong expectations on purpose and must fail; the others must pass. The same
 * files run under promtool in promtool.int.test.ts, with the same verdicts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expandSeriesValues, runRuleTests } from '../src/index.js';

const dir = fileURLToPath(new URL('../../testdata/promtool/', import.meta.url));

for (const name of readdirSync(dir).filter((f) => f.endsWith('.test.yaml'))) {
  const shouldFail = name.startsWith('fail-');
  test(`rule unit test ${name} ${shouldFail ? 'fails' : 'passes'} under Fathom's evaluator`, async () => {
    const r = await runRuleTests(dir + name);
    assert.deepEqual(r.errors, []);
    if (shouldFail) assert.ok(r.tests.every((t) => t.failures.length > 0), 'every test of a fail- file reports failures');
    else assert.deepEqual(r.tests.flatMap((t) => t.failures), []);
    assert.equal(r.ok, !shouldFail);
  });
}

test('a test file naming a missing rule file reports it instead of passing', async () => {
  const r = await runRuleTests(`${dir}does-not-exist.test.yaml`);
  assert.equal(r.ok, false);
  assert.match(r.errors[0] ?? '', /ENOENT/);
});

test('series notation expands like promtool', () => {
  assert.deepEqual(expandSeriesValues('1+2x3 _ 5x2 10-1x2 _x2 stale'), [1, 3, 5, 7, undefined, 5, 5, 5, 10, 9, 8, undefined, undefined, 'stale']);
  assert.throws(() => expandSeriesValues('1 two 3'), /bad series value "two"/);
});

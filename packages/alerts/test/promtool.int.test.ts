/**
 * promtool (Debian's prometheus package) as the reference: the same fixture files get the same
 * verdicts from `promtool test rules` as from Fathom's runner (rule-unit-tests.test.ts), and the
 * Prometheus-format golden rule files are accepted by `promtool check rules`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { executablePeer, skipUnless } from '@fathom/testkit';
import { runRuleTests } from '../src/index.js';

const dir = fileURLToPath(new URL('../../testdata/promtool/', import.meta.url));
const rulesDir = fileURLToPath(new URL('../../testdata/rules/', import.meta.url));
const skip = skipUnless(executablePeer('promtool', 'prometheus'));

function promtool(args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

for (const name of readdirSync(dir).filter((f) => f.endsWith('.test.yaml'))) {
  test(`promtool and Fathom agree on ${name}`, { skip }, async () => {
    const ref = promtool(['test', 'rules', name], dir);
    const ours = await runRuleTests(dir + name);
    assert.equal(ours.ok, ref.status === 0, `promtool said:\n${ref.out}\nFathom said:\n${JSON.stringify(ours.tests, null, 2)}`);
    assert.equal(ref.status === 0, !name.startsWith('fail-'), ref.out);
  });
}

test('promtool accepts the Prometheus-format good rule file', { skip }, () => {
  const r = promtool(['check', 'rules', 'good/prometheus-style.yaml'], rulesDir);
  assert.equal(r.status, 0, r.out);
});

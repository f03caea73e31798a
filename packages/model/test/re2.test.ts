/** RE2 semantics for PromQL regexes: the table in testdata/re2-cases.txt. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InvalidMatcherError, Re2SyntaxError, compileRe2Anchored, matcher } from '../src/index.js';

const TABLE = new URL('../../test/testdata/re2-cases.txt', import.meta.url);

interface Case {
  readonly line: number;
  readonly pattern: string;
  readonly want: 'match' | 'no' | 'error';
  readonly arg: string;
}

function cases(): Case[] {
  return readFileSync(TABLE, 'utf8')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter(({ text }) => text !== '' && !text.startsWith('#'))
    .map(({ text, line }) => {
      const [pattern = '', want = '', arg = ''] = text.split('\t');
      assert.ok(want === 'match' || want === 'no' || want === 'error', `line ${line}: bad expectation ${want}`);
      return { line, pattern, want, arg: want === 'error' ? arg : arg.replaceAll('\\n', '\n').replaceAll('\\t', '\t').replaceAll('\\v', '\v') };
    });
}

for (const c of cases()) {
  const name = `line ${c.line}: /${c.pattern}/ ${c.want === 'error' ? `is refused (${c.arg})` : `${c.want === 'match' ? 'matches' : 'does not match'} ${JSON.stringify(c.arg)}`}`;
  test(name, () => {
    if (c.want === 'error') {
      assert.throws(() => compileRe2Anchored(c.pattern), (e: unknown) => e instanceof Re2SyntaxError && e.message.includes(c.arg));
      return;
    }
    assert.equal(compileRe2Anchored(c.pattern).test(c.arg), c.want === 'match');
  });
}

test('matchers use RE2 semantics and name the pattern in their errors', () => {
  assert.equal(matcher('namespace', '=~', '(?i)PROD').matches('prod'), true);
  assert.equal(matcher('namespace', '!~', '(?i)PROD').matches('prod'), false);
  assert.throws(() => matcher('pod', '=~', '(?=x)'), (e: unknown) => e instanceof InvalidMatcherError && e.message.includes('"(?=x)"'));
});

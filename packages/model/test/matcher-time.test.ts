import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidMatcherError,
  formatDurationMs,
  isStaleMarker,
  labelsOf,
  matcher,
  matchesAll,
  parseDurationMs,
  parseFloatStrict,
} from '../src/index.js';

test('matchers have PromQL semantics: anchored regex, missing label is empty', () => {
  const l = labelsOf({ job: 'node', env: 'prod' });
  const table: [string, Parameters<typeof matcher>, boolean][] = [
    ['eq', ['job', '=', 'node'], true],
    ['neq', ['job', '!=', 'node'], false],
    ['re anchored', ['job', '=~', 'no'], false],
    ['re alt', ['job', '=~', 'api|node'], true],
    ['nre', ['env', '!~', 'dev.*'], true],
    ['missing = empty', ['zone', '=', ''], true],
    ['missing =~ .+', ['zone', '=~', '.+'], false],
  ];
  for (const [name, args, want] of table) assert.equal(matchesAll(l, [matcher(...args)]), want, name);
});

test('a bad regex is a clear error', () => {
  assert.throws(() => matcher('a', '=~', '('), InvalidMatcherError);
});

test('durations parse and format', () => {
  assert.equal(parseDurationMs('1h30m'), 5_400_000);
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs('5x'), undefined);
  assert.equal(parseDurationMs(''), undefined);
  assert.equal(formatDurationMs(90_000), '1m30s');
});

test('float parsing handles specials and rejects junk', () => {
  assert.equal(parseFloatStrict('+Inf'), Infinity);
  assert.ok(Number.isNaN(parseFloatStrict('NaN')));
  assert.equal(parseFloatStrict('1e3'), 1000);
  assert.equal(parseFloatStrict('abc'), undefined);
  assert.equal(parseFloatStrict(''), undefined);
});

test('stale marker is a specific NaN', () => {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, 0x7ff0000000000002n);
  assert.ok(isStaleMarker(view.getFloat64(0)));
  assert.ok(!isStaleMarker(NaN));
  assert.ok(!isStaleMarker(1));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MetricSetBuilder } from '@fathom/model';
import { writeText } from '../src/index.js';

test('writer groups families, sorts them, escapes help and label values (golden file)', () => {
  const set = new MetricSetBuilder()
    .describe('b', 'gauge', 'Gauge.')
    .describe('a_total', 'counter', 'Counts \\ things\nover lines.')
    .add('b', {}, NaN)
    .add('a_total', { path: 'C:\\dir', quote: 'say "hi"' }, 1)
    .add('b', { inf: 'pos' }, Infinity)
    .add('a_total', { path: 'x' }, 2)
    .build();
  const golden = readFileSync(new URL('../../testdata/escaping.prom', import.meta.url), 'utf8');
  assert.equal(writeText(set), golden);
});

test('an empty set writes nothing', () => {
  assert.equal(writeText(new MetricSetBuilder().build()), '');
});

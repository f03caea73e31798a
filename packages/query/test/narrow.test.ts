/**
 * narrow.ts: which expressions may run on the steps near their data, and which steps those are.
 * That the answers stay the same is step-eval.test.ts's (long ranges over short data, against
 * the per-step evaluator); this checks the narrowing happens where it should, and only there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf } from '@fathom/model';
import { columnsOf } from '@fathom/storage';
import type { SeriesData } from '@fathom/storage';
import type { Expr, VectorSelector } from '../src/ast.js';
import { dataBound, dataSteps } from '../src/narrow.js';
import { parseQuery } from '../src/parse.js';
import { stepGrid } from '../src/step-output.js';

const BOUND: readonly [string, boolean][] = [
  ['x', true], ['sum by (a) (rate(x[5m]))', true], ['topk(3, x)', true], ['topk(2 + 1, x)', true], ['count_values("v", x)', true], ['-x', true],
  ['x * 2', true], ['1 - x / (1024 * 1024)', true], ['x / on(a) y', true], ['x unless y', true], ['x and y', true], ['hour(x)', true],
  ['histogram_quantile(0.9, x)', true], ['label_replace(x, "b", "$1", "a", "(.*)")', true], ['x or y', true], ['max_over_time(x[1h])', true],
  ['clamp(x, 0, 100)', true], ['x > bool 0', true],
  ['1 + 2', false], ['time()', false], ['vector(1)', false], ['x or vector(0)', false], ['vector(1) unless x', false], ['absent(x)', false],
  ['absent_over_time(x[5m])', false], ['hour()', false], ['x offset 5m', false], ['x @ 100', false], ['rate(x[5m] offset 1m)', false],
  ['max_over_time(x[10m:1m])', false], ['topk(scalar(y), x)', false], ['scalar(x)', false], ['label_replace(vector(1), "b", "$1", "a", "(.*)")', false],
  // the other operand is evaluated at every step: it must not fail (or output) where there is no data
  ['x and vector(1)', false], ['x and topk(scalar(x), x)', false], ['x + on() (y offset 1d)', false], ['x and on() sum_over_time(y[1d:1m])', false],
  ['x unless topk(scalar(y), y)', false], ['time() - timestamp(x)', false], ['round(x, scalar(y))', false], ['x * scalar(y)', false],
];

for (const [q, want] of BOUND) test(`dataBound(${q}) = ${want}`, () => assert.equal(dataBound(parseQuery(q)), want));

const MIN = 60_000;

function selectors(e: Expr, out: VectorSelector[] = []): VectorSelector[] {
  if (e.kind === 'vector') out.push(e);
  else if (e.kind === 'matrix') out.push(e.vector);
  else if (e.kind === 'aggregate' || e.kind === 'unary') selectors(e.expr, out);
  else if (e.kind === 'call') e.args.forEach((a) => selectors(a, out));
  else if (e.kind === 'binary') [e.lhs, e.rhs].forEach((a) => selectors(a, out));
  return out;
}

/** Data from 100 to 160 minutes (raw every minute, or one 10 m tier point per bucket). */
function dataOf(e: Expr, resolutionMs?: number): Map<VectorSelector, SeriesData[]> {
  const every = resolutionMs ?? MIN;
  const samples = Array.from({ length: 60 * MIN / every + 1 }, (_, i) => ({ tMs: 100 * MIN + i * every, value: i }));
  const s: SeriesData = { labels: labelsOf({ __name__: 'x' }), samples: columnsOf(samples), ...(resolutionMs ? { resolutionMs } : {}) };
  return new Map(selectors(e).map((sel) => [sel, [s]]));
}

test('a long range over short data runs on the steps from the first sample to where the last leaves the window', () => {
  const grid = stepGrid(0, 2000 * MIN, 10 * MIN);
  for (const [q, resolutionMs, fromMin, toMin] of [
    ['sum(x)', undefined, 100, 160], // lookback 5 m: 165 is past it
    ['rate(x[30m])', undefined, 100, 190],
    ['rate(x[5m])', 10 * MIN, 100, 180], // a tier point's range window is at least two buckets
  ] as const) {
    const e = parseQuery(q);
    const got = dataSteps(e, dataOf(e, resolutionMs), grid, 5 * MIN);
    assert.ok(got, q);
    assert.deepEqual([got.times[0], got.times[got.count - 1]], [fromMin * MIN, toMin * MIN], q);
  }
});

test('no narrowing when the data spans the grid, the expression is not data-bound, or the grid is one step', () => {
  const e = parseQuery('sum(x)');
  assert.equal(dataSteps(e, dataOf(e), stepGrid(110 * MIN, 150 * MIN, MIN), 5 * MIN), undefined, 'spans');
  const v = parseQuery('sum(x) or vector(0)');
  assert.equal(dataSteps(v, dataOf(v), stepGrid(0, 2000 * MIN, 10 * MIN), 5 * MIN), undefined, 'not data-bound');
  assert.equal(dataSteps(e, dataOf(e), stepGrid(0, 0, 10 * MIN), 5 * MIN), undefined, 'one step');
  const none = dataSteps(e, new Map(), stepGrid(0, 2000 * MIN, 10 * MIN), 5 * MIN);
  assert.deepEqual([none?.count, none?.times[0]], [1, 0], 'no data: the first step alone (what needs no data still fails)');
});

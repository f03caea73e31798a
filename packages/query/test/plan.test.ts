import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../src/index.js';
import { planSelectors } from '../src/plan.js';

const CTX = { startMs: 3_600_000, endMs: 7_200_000, stepMs: 60_000, lookbackMs: 300_000, defaultSubqueryStepMs: 60_000 };

const CASES: [string, { minMs: number; maxMs: number; hints: Record<string, unknown> }[]][] = [
  // An instant selector on the query's steps is read only there (readAtSteps), shifted by its offset.
  ['up', [{ minMs: 3_300_000, maxMs: 7_200_000, hints: { startMs: 3_600_000, endMs: 7_200_000, stepMs: 60_000, readAtSteps: true } }]],
  ['abs(up offset 5m)', [{ minMs: 3_000_000, maxMs: 6_900_000, hints: { startMs: 3_300_000, endMs: 6_900_000, stepMs: 60_000, func: 'abs', readAtSteps: true } }]],
  // Inside a subquery the steps are the subquery's (aligned differently): every sample.
  ['max_over_time(up[30m:30s])', [{ minMs: 1_500_000, maxMs: 7_200_000, hints: { startMs: 1_800_000, endMs: 7_200_000, stepMs: 30_000 } }]],
  ['rate(x[5m] offset 10m)', [{ minMs: 2_700_000, maxMs: 6_600_000, hints: { startMs: 3_000_000, endMs: 6_600_000, stepMs: 60_000, rangeMs: 300_000, func: 'rate' } }]],
  ['max_over_time(x[1m] @ 100)', [{ minMs: 40_000, maxMs: 100_000, hints: { startMs: 100_000, endMs: 100_000, stepMs: 60_000, rangeMs: 60_000, func: 'max_over_time' } }]],
  // The subquery widens its inner selector's window by its range and evaluates at its own step.
  ['max_over_time(rate(x[1m])[30m:30s])', [{ minMs: 1_740_000, maxMs: 7_200_000, hints: { startMs: 1_800_000, endMs: 7_200_000, stepMs: 30_000, rangeMs: 60_000, func: 'rate' } }]],
  ['up @ end()', [{ minMs: 6_900_000, maxMs: 7_200_000, hints: { startMs: 7_200_000, endMs: 7_200_000, stepMs: 0, readAtSteps: true } }]],
];

for (const [q, want] of CASES) {
  test(`plan: ${q}`, () => {
    const got = [...planSelectors(parseQuery(q), CTX).values()].map((p) => ({ minMs: p.minMs, maxMs: p.maxMs, hints: { ...p.hints } }));
    assert.deepEqual(got, want);
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RollupAccumulator, DEFAULT_TIERS, checkTiers, planSelect } from '../src/index.js';
import type { RolledPoint } from '../src/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function rollAll(resolutionMs: number, samples: readonly (readonly [number, number])[]): RolledPoint[] {
  const acc = new RollupAccumulator(resolutionMs);
  const out: RolledPoint[] = [];
  for (const [t, v] of samples) {
    const closed = acc.add(t, v);
    if (closed) out.push(closed);
  }
  if (acc.open) out.push(acc.open);
  return out;
}

test('rollup: min, max, sum, count, last per aligned bucket; NaN and stale markers are left out', () => {
  const points = rollAll(MIN, [[0, 5], [10_000, 1], [50_000, NaN], [59_999, 3], [60_000, 10], [125_000, 2]]);
  assert.deepEqual(points.map((p) => [p.tMs, p.min, p.max, p.sum, p.count, p.last]), [
    [0, 1, 5, 9, 3, 3],
    [60_000, 10, 10, 10, 1, 10],
    [120_000, 2, 2, 2, 1, 2],
  ]);
});

/** Prometheus' increase between two samples of a counter, without extrapolation. */
function rawIncrease(values: readonly number[], from: number, to: number): number {
  let inc = 0;
  for (let i = from + 1; i <= to; i++) {
    const cur = values[i] ?? 0;
    const prev = values[i - 1] ?? 0;
    inc += cur >= prev ? cur - prev : cur;
  }
  return inc;
}

test('rollup: counter increases between buckets are exact, resets inside buckets included (property)', () => {
  const counter = fc.array(fc.oneof(fc.integer({ min: 0, max: 1000 }).map((d) => ({ reset: false, d })), fc.integer({ min: 0, max: 50 }).map((d) => ({ reset: true, d }))), { minLength: 2, maxLength: 400 });
  fc.assert(
    fc.property(counter, fc.constantFrom(MIN, 10 * MIN, HOUR), (steps, resolutionMs) => {
      const values: number[] = [];
      let v = 0;
      for (const s of steps) values.push((v = s.reset ? s.d : v + s.d));
      const samples = values.map((x, i) => [i * 10_000, x] as const);
      const points = rollAll(resolutionMs, samples);
      // the last raw sample of each bucket
      const lastIdx = points.map((p) => samples.findLastIndex(([t]) => t < p.tMs + resolutionMs));
      for (let a = 0; a < points.length; a++) {
        for (let b = a + 1; b < points.length; b++) {
          const rolled = (points[b]?.counter ?? 0) - (points[a]?.counter ?? 0);
          assert.equal(rolled, rawIncrease(values, lastIdx[a] ?? 0, lastIdx[b] ?? 0), `buckets ${a}..${b}`);
        }
      }
    }),
    { numRuns: 200 },
  );
});

test('planner: raw while it holds the range; else the finest tier that covers it; the field from the function', () => {
  const now = 100 * DAY;
  const raw = 6 * HOUR;
  const cases: [string, { startMs: number; endMs: number; stepMs?: number; rangeMs?: number; func?: string }, number | undefined, string][] = [
    ['1h dashboard', { startMs: now - HOUR, endMs: now, stepMs: 15_000, rangeMs: 5 * MIN, func: 'rate' }, undefined, 'counter'],
    ['6h (lookback needs a bit more than raw)', { startMs: now - 6 * HOUR, endMs: now, stepMs: 60_000 }, MIN, 'last'],
    ['1d max_over_time', { startMs: now - DAY, endMs: now, stepMs: 5 * MIN, rangeMs: 10 * MIN, func: 'max_over_time' }, MIN, 'max'],
    ['7d rate', { startMs: now - 7 * DAY, endMs: now, stepMs: HOUR, rangeMs: HOUR, func: 'rate' }, 10 * MIN, 'counter'],
    ['30d avg', { startMs: now - 30 * DAY, endMs: now, stepMs: 6 * HOUR, func: 'avg_over_time' }, HOUR, 'avg'],
    ['200d', { startMs: now - 200 * DAY, endMs: now, stepMs: DAY }, DAY, 'last'],
    ['beyond every tier: the coarsest', { startMs: now - 800 * DAY, endMs: now, stepMs: DAY }, DAY, 'last'],
  ];
  for (const [name, hints, resolution, field] of cases) {
    const plan = planSelect(hints, now, raw, DEFAULT_TIERS);
    assert.equal(plan.tier?.resolutionMs, resolution, name);
    assert.equal(plan.field, field, name);
  }
  assert.equal(planSelect(undefined, now, raw, DEFAULT_TIERS).tier, undefined, 'no hints: raw');
});

test('tier lists are validated with a clear message', () => {
  assert.equal(checkTiers(DEFAULT_TIERS, 6 * HOUR), undefined);
  assert.match(checkTiers([{ resolutionMs: HOUR, retentionMs: DAY }, { resolutionMs: MIN, retentionMs: 2 * DAY }], HOUR) ?? '', /resolutions must increase/);
  assert.match(checkTiers([{ resolutionMs: MIN, retentionMs: HOUR }], 6 * HOUR) ?? '', /retention must not shrink/);
});

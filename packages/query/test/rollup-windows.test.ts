/**
 * Queries written for raw data over a coarse rollup tier: no gaps, rates and increases with the
 * right size. The store below answers like the tsdb's tiers do: one point per bucket, stamped at
 * the bucket's start, holding the bucket's last value, bounded by the querier's window widened by the buckets `tierPadBuckets` asks for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf, matchesAll } from '@fathom/model';
import type { Matcher } from '@fathom/model';
import { columnsOf, samplesOf } from '@fathom/storage';
import type { Querier, Queryable, SelectHints, SeriesData } from '@fathom/storage';
import { QueryEngine } from '../src/index.js';

const MIN = 60_000;
const BUCKET_MS = 10 * MIN;
const HOURS = 24;

/** A counter rising 2/s and a gauge at 7, rolled up into 10m buckets over a day. */
function tierPoints(value: (endMs: number) => number): { tMs: number; value: number }[] {
  return Array.from({ length: (HOURS * 60 * MIN) / BUCKET_MS }, (_, i) => ({ tMs: i * BUCKET_MS, value: value((i + 1) * BUCKET_MS - 10_000) }));
}
const SERIES: SeriesData[] = [
  { labels: labelsOf({ __name__: 'requests_total', pod: 'a' }), samples: columnsOf(tierPoints((t) => (2 * t) / 1000)), resolutionMs: BUCKET_MS },
  { labels: labelsOf({ __name__: 'temperature', pod: 'a' }), samples: columnsOf(tierPoints(() => 7)), resolutionMs: BUCKET_MS },
];

class TierStore implements Queryable {
  querier(minMs: number, maxMs: number): Promise<Querier> {
    return Promise.resolve({
      select: (matchers: readonly Matcher[], hints?: SelectHints) => {
        const fromMs = minMs - (hints?.tierPadBuckets ?? 0) * BUCKET_MS;
        return Promise.resolve(SERIES.filter((s) => matchesAll(s.labels, matchers)).map((s) => ({ ...s, samples: columnsOf(samplesOf(s.samples).filter((p) => p.tMs >= fromMs && p.tMs <= maxMs)) })));
      },
      labelNames: () => Promise.resolve([]),
      labelValues: () => Promise.resolve([]),
    });
  }
}

const engine = new QueryEngine(new TierStore());
const START = 6 * 60 * MIN;
const END = 18 * 60 * MIN;

async function rangeValues(q: string, stepMs: number): Promise<number[]> {
  const r = await engine.rangeQuery(q, START, END, stepMs);
  assert.equal(r.resultType, 'matrix');
  if (r.resultType !== 'matrix') return [];
  assert.equal(r.series.length, 1, `${q}: one series`);
  return Array.from(r.series[0]!.samples.values);
}

const steps = (stepMs: number): number => (END - START) / stepMs + 1;

test('an instant selector over 10m buckets has a value at every 1m step (lookback covers a bucket)', async () => {
  const v = await rangeValues('temperature', MIN);
  assert.equal(v.length, steps(MIN));
  assert.ok(v.every((x) => x === 7));
});

test('rate(x[5m]) over 10m buckets: a value at every step, the true per-second rate', async () => {
  const v = await rangeValues('rate(requests_total[5m])', MIN);
  assert.equal(v.length, steps(MIN));
  for (const x of v) assert.ok(Math.abs(x - 2) < 1e-9, `rate ${x}`);
});

test('increase(x[5m]) over 10m buckets is scaled to the five minutes asked for', async () => {
  const v = await rangeValues('increase(requests_total[5m])', 5 * MIN);
  assert.equal(v.length, steps(5 * MIN));
  for (const x of v) assert.ok(Math.abs(x - 600) < 1e-6, `increase ${x}`);
});

test('increase over a window of whole buckets is exact, with no scaling', async () => {
  const v = await rangeValues('increase(requests_total[1h])', 60 * MIN);
  for (const x of v) assert.ok(Math.abs(x - 7200) < 1e-6, `increase ${x}`);
});

test('value-shaped functions over a short window read the covering buckets unscaled', async () => {
  for (const q of ['avg_over_time(temperature[1m])', 'max_over_time(temperature[2m])', 'last_over_time(temperature[30s])']) {
    const v = await rangeValues(q, MIN);
    assert.equal(v.length, steps(MIN), q);
    assert.ok(v.every((x) => x === 7), q);
  }
});

test('the query says which tier answered', async () => {
  const r = await engine.rangeQuery('rate(requests_total[5m])', START, END, MIN);
  assert.deepEqual(r.infos, ['answered from the 10m rollup tier']);
});

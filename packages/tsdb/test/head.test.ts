import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStaleMarker, labelsOf, matcher, STALE_NAN } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { BatchState, Head } from '../src/index.js';
import type { HeadLimits } from '../src/index.js';
import { samplesOf } from '@fathom/storage';

const limits: HeadLimits = { maxSeries: 1000, maxSeriesPerMetric: 1000, outOfOrderWindowMs: 60_000 };
const m = (name: string, extra: Record<string, string> = {}): Labels => labelsOf({ __name__: name, ...extra });

function put(head: Head, labels: Labels, tMs: number, value: number): string | undefined {
  const r = head.checkOne(labels, tMs, value, new BatchState());
  if (r) return r.message;
  head.apply(labels, tMs, value);
  return undefined;
}

test('head: samples across many chunks read back in order, with the stale marker intact', () => {
  const head = new Head(limits);
  for (let i = 0; i < 500; i++) assert.equal(put(head, m('up'), i * 10_000, i === 250 ? STALE_NAN : i), undefined);
  const [s] = head.select([matcher('__name__', '=', 'up')], 1_000_000, 3_000_000);
  assert.equal(samplesOf(s!.samples).length, 201);
  assert.equal(samplesOf(s!.samples)[0]?.tMs, 1_000_000);
  assert.ok(isStaleMarker(samplesOf(s!.samples).find((p) => p.tMs === 2_500_000)?.value ?? 0));
  assert.equal(head.sampleCount, 500);
});

test('head: out-of-order within the window is merged in; older is refused; duplicates as Prometheus', () => {
  const head = new Head(limits);
  put(head, m('x'), 100_000, 1);
  put(head, m('x'), 200_000, 2);
  assert.equal(put(head, m('x'), 150_000, 1.5), undefined, 'within the 60 s window');
  assert.match(put(head, m('x'), 100_001, 9) ?? '', /older than the out-of-order window \(60000 ms behind 200000\)/);
  assert.equal(put(head, m('x'), 200_000, 2), undefined, 'an exact replay is a no-op');
  assert.match(put(head, m('x'), 200_000, 3) ?? '', /duplicate sample for timestamp 200000 with a different value in x/);
  assert.match(put(head, m('x'), 150_000, 7) ?? '', /duplicate sample for timestamp 150000/);
  assert.deepEqual(samplesOf(head.select([], 0, 1e9)[0]!.samples).map((p) => p.value), [1, 1.5, 2]);
  assert.equal(head.rejectedTotal.duplicate_sample, 2);
  assert.equal(head.rejectedTotal.out_of_bounds, 1);
});

test('head: a batch sees its own samples (duplicates inside one batch)', () => {
  const head = new Head(limits);
  const batch = new BatchState();
  assert.equal(head.checkOne(m('y'), 1000, 1, batch), undefined);
  assert.equal(head.checkOne(m('y'), 1000, 1, batch), undefined, 'same value: accepted, stored once');
  assert.match(head.checkOne(m('y'), 1000, 2, batch)?.message ?? '', /duplicate sample/);
});

test('head: series limits name the metric, count the series a batch creates', () => {
  const head = new Head({ ...limits, maxSeries: 5, maxSeriesPerMetric: 2 });
  const batch = new BatchState();
  const results = [0, 1, 2].map((i) => head.checkOne(m('noisy', { i: String(i) }), 1000, 1, batch));
  assert.deepEqual(results.slice(0, 2), [undefined, undefined]);
  assert.match(results[2]?.message ?? '', /metric noisy reached its limit of 2 series/);
  for (let i = 0; i < 3; i++) head.checkOne(m(`other${i}`), 1000, 1, batch);
  assert.match(head.checkOne(m('last'), 1000, 1, batch)?.message ?? '', /series limit of 5 reached; new series of last refused/);
});

test('head: series GC removes pods that went away, so churn does not grow the index', () => {
  const head = new Head(limits);
  for (let hour = 0; hour < 24; hour++) {
    for (let pod = 0; pod < 50; pod++) {
      const labels = m('container_cpu', { pod: `p-${hour}-${pod}` });
      for (let k = 0; k < 360; k++) put(head, labels, hour * 3_600_000 + k * 10_000, k);
    }
    head.gc(hour * 3_600_000 - 2 * 3_600_000);
  }
  assert.ok(head.seriesCount <= 150, `${head.seriesCount} series live after 24 generations of 50 pods`);
  assert.equal(head.matching([matcher('pod', '=~', 'p-0-.*')]).length, 0, 'old pods are gone from the index');
  assert.match(put(head, m('late'), 1000, 1) ?? '', /out of bounds/);
});

test('head: a block cut splits only the chunk straddling the cut (sealed or open); the rest stays exact, appends go on', () => {
  const head = new Head(limits);
  for (let i = 1; i <= 300; i++) assert.equal(put(head, m('c'), i * 10_000, i === 200 ? STALE_NAN : i), undefined);
  const first = head.cutBefore(1_500_000);
  assert.deepEqual(first[0]?.chunks.map((c) => [c.minTMs, c.maxTMs, c.count]), [[10_000, 1_200_000, 120], [1_210_000, 1_490_000, 29]]);
  const second = head.cutBefore(2_600_000);
  assert.deepEqual(second[0]?.chunks.map((c) => [c.minTMs, c.maxTMs, c.count]), [[1_500_000, 2_400_000, 91], [2_410_000, 2_590_000, 19]]);
  for (let i = 301; i <= 400; i++) assert.equal(put(head, m('c'), i * 10_000, i), undefined);
  const [s] = head.select([], 0, 1e9);
  assert.deepEqual(samplesOf(s!.samples).map((p) => p.tMs / 10_000), Array.from({ length: 141 }, (_, k) => 260 + k));
  assert.equal(head.sampleCount, 141);
});

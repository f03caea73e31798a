import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf, labelStrings, matcher, MIN_REBUILD_ENTRIES } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { Head, TsdbStorage } from '../src/index.js';
import { opts, write } from './helpers.js';

const limits = { maxSeries: 1e6, maxSeriesPerMetric: 1e6, outOfOrderWindowMs: 0 };
/** Labels as a decoder makes them: fresh strings, not interned. */
const decoded = (pod: string, metric = 'm'): ReturnType<typeof labelsOf> => labelsOf({ __name__: metric, namespace: 'ns-a', pod, node: 'node-1' });
const isM = [matcher('__name__', '=', 'm')];
const shared = (labels: ReturnType<typeof labelsOf>): boolean => labelStrings.internLabels(labels) === labels;

test('the head keeps every series with the shared label values: ingest, WAL replay and checkpoint restore', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = TsdbStorage.open(opts(dir.path, { fsync: 'never' }));
  await write(s1, [[decoded('p-1'), 1000, 1], [decoded('p-2'), 1000, 2]]);
  const ingested = await (await s1.querier(0, 2000)).select(isM);
  assert.equal(ingested.length, 2);
  for (const s of ingested) assert.ok(shared(s.labels), `ingested ${JSON.stringify(s.labels)}`);
  // no close: the next open replays the WAL
  const s2 = TsdbStorage.open(opts(dir.path, { fsync: 'never' }));
  const replayed = await (await s2.querier(0, 2000)).select(isM);
  assert.equal(replayed.length, 2);
  for (const s of replayed) assert.ok(shared(s.labels), `replayed ${JSON.stringify(s.labels)}`);
  await s2.close(); // writes a checkpoint
  const s3 = TsdbStorage.open(opts(dir.path, { fsync: 'never' }));
  assert.equal(s3.openReport.checkpointSeries, 2);
  const restored = await (await s3.querier(0, 2000)).select(isM);
  assert.deepEqual(restored.map((s) => s.labels).sort((a, b) => (a['pod'] ?? '').localeCompare(b['pod'] ?? '')), [decoded('p-1'), decoded('p-2')]);
  for (const s of restored) assert.ok(shared(s.labels), `restored ${JSON.stringify(s.labels)}`);
  await s3.close();
});

test('pod churn: the label-value table lets go of the values of series the head removed (rebuilt from the live ones past twice its size)', () => {
  const head = new Head(limits);
  const podsPerHour = 2000;
  let maxSize = 0;
  for (let hour = 0; hour < 30; hour++) {
    for (let i = 0; i < podsPerHour; i++) head.apply(decoded(`pod-${hour}-${i}`), hour * 3_600_000, i);
    // retention drops the previous hour's series
    head.gc(hour * 3_600_000);
    assert.equal(head.heldSeriesCount, podsPerHour);
    maxSize = Math.max(maxSize, labelStrings.size);
  }
  // 60,000 distinct pod names went through; the table holds the live ones and at most a doubling more
  assert.ok(labelStrings.sizeAtRebuild > 0, 'rebuilt');
  assert.ok(maxSize <= Math.max(16_384, 2 * (podsPerHour + 4)) + podsPerHour, `table grew to ${maxSize}`);
  for (const s of head.matching(isM)) assert.ok(shared(s.labels));
});

test('values that never become a series (refused at the series limit) cannot pile up in the label-value table', () => {
  const head = new Head({ ...limits, maxSeries: 10 });
  for (let i = 0; i < 10; i++) head.apply(decoded(`kept-${i}`), 1000, i);
  let maxSize = 0;
  for (let i = 0; i < 100_000; i++) {
    // what the remote-write decoder does with every series it reads; the head (at its limit) refuses them all
    labelStrings.internLabels(labelsOf({ __name__: 'm', request_id: `r-${i}` }));
    maxSize = Math.max(maxSize, labelStrings.size);
  }
  assert.ok(maxSize <= MIN_REBUILD_ENTRIES, `the table grew to ${maxSize} entries`);
  for (const s of head.matching(isM)) assert.ok(shared(s.labels), 'the kept series still hold the shared copies');
});

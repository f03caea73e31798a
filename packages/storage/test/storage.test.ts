import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { isStaleMarker, labelsOf, matcher, STALE_NAN } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { JournaledStorage } from '../src/index.js';
import type { JournaledStorageOptions } from '../src/index.js';
import { samplesOf } from '../src/index.js';

const l = (name: string, extra: Record<string, string> = {}): ReturnType<typeof labelsOf> => labelsOf({ __name__: name, ...extra });

function opts(dataDir: string, over: Partial<JournaledStorageOptions> = {}): JournaledStorageOptions {
  return { dataDir, fsync: 'always', retentionMs: 1e15, maxSeries: 1000, maxSeriesPerMetric: 1000, ...over };
}

async function write(s: JournaledStorage, samples: [ReturnType<typeof labelsOf>, number, number][]): Promise<void> {
  const app = s.appender();
  for (const [labels, t, v] of samples) app.append(labels, t, v);
  const r = await app.commit();
  assert.equal(r.rejected, 0, r.errors.map((e) => e.message).join('; '));
}

test('append, select by matchers and range, label names and values', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s = JournaledStorage.open(opts(dir.path));
  await write(s, [
    [l('up', { job: 'a' }), 1000, 1],
    [l('up', { job: 'a' }), 2000, 0],
    [l('up', { job: 'b' }), 1000, 1],
    [l('other'), 1500, 7],
  ]);
  const q = await s.querier(1500, 3000);
  const up = await q.select([matcher('__name__', '=', 'up')]);
  assert.deepEqual(up.map((x) => [x.labels['job'], samplesOf(x.samples).map((p) => p.value)]), [['a', [0]]], 'job b has no sample in range');
  const re = await (await s.querier(0, 3000)).select([matcher('job', '=~', 'a|b')]);
  assert.equal(re.length, 2);
  assert.deepEqual(await (await s.querier(0, 3000)).labelNames(), ['__name__', 'job']);
  assert.deepEqual(await (await s.querier(0, 3000)).labelValues('job'), ['a', 'b']);
  assert.deepEqual(await (await s.querier(0, 3000)).labelValues('__name__', [matcher('job', '=', 'b')]), ['up']);
  await s.close();
});

test('out-of-order samples are placed in order; exact replays are no-ops; conflicting duplicates are refused', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s = JournaledStorage.open(opts(dir.path));
  await write(s, [[l('m'), 3000, 3], [l('m'), 1000, 1], [l('m'), 2000, 2], [l('m'), 2000, 2]]);
  const app = s.appender();
  app.append(l('m'), 2000, 99);
  app.append(l('m'), 4000, 4);
  const r = await app.commit();
  assert.equal(r.accepted, 1);
  assert.equal(r.rejected, 1);
  assert.match(r.errors[0]?.message ?? '', /duplicate sample for timestamp 2000 with a different value in m/);
  const [series] = await (await s.querier(0, 5000)).select([matcher('__name__', '=', 'm')]);
  assert.deepEqual(samplesOf(series!.samples).map((p) => p.value), [1, 2, 3, 4]);
  assert.equal(s.stats().rejectedTotal.duplicate_sample, 1);
  await s.close();
});

test('series limits name the metric and do not affect other samples', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s = JournaledStorage.open(opts(dir.path, { maxSeries: 10, maxSeriesPerMetric: 2 }));
  const app = s.appender();
  for (let i = 0; i < 4; i++) app.append(l('noisy', { i: String(i) }), 1000, i);
  app.append(l('calm'), 1000, 1);
  const r = await app.commit();
  assert.equal(r.accepted, 3);
  assert.equal(r.rejected, 2);
  assert.match(r.errors[0]?.message ?? '', /metric noisy reached its limit of 2 series/);
  assert.equal(s.stats().series, 3);
  await s.close();
});

test('data survives a restart; retention drops old samples and series', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = JournaledStorage.open(opts(dir.path));
  await write(s1, [[l('a'), 1000, NaN], [l('a'), 2000, Infinity], [l('b'), 100, 1]]);
  await s1.close();
  const s2 = JournaledStorage.open(opts(dir.path, { retentionMs: 1400, nowMs: () => 2500 }));
  assert.deepEqual(s2.replayReport.problems, []);
  const all = await (await s2.querier(0, 5000)).select([]);
  assert.deepEqual(all.map((x) => x.labels['__name__']), ['a'], 'b is older than the retention');
  assert.deepEqual(samplesOf(all[0]!.samples).map((p) => p.value), [Infinity], '1000 is older than now - retention');
  await s2.close();
});

function segments(dir: string): string[] {
  return readdirSync(join(dir, 'journal')).filter((f) => f.endsWith('.journal')).sort().map((f) => join(dir, 'journal', f));
}

test('a torn journal tail: starts, keeps every complete record, reports the drop, appends cleanly after', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = JournaledStorage.open(opts(dir.path));
  for (let i = 1; i <= 5; i++) await write(s1, [[l('m'), i * 1000, i]]);
  await s1.close();
  const [seg] = segments(dir.path);
  assert.ok(seg);
  truncateSync(seg, statSync(seg).size - 3);
  const s2 = JournaledStorage.open(opts(dir.path));
  assert.equal(s2.replayReport.problems.length, 1);
  assert.match(s2.replayReport.problems[0] ?? '', /torn record/);
  const [series] = await (await s2.querier(0, 1e6)).select([]);
  assert.deepEqual(samplesOf(series!.samples).map((p) => p.value), [1, 2, 3, 4]);
  await write(s2, [[l('m'), 9000, 9]]);
  await s2.close();
  const s3 = JournaledStorage.open(opts(dir.path));
  assert.deepEqual(s3.replayReport.problems, [], 'the torn tail was cut, so the new record is readable');
  const [again] = await (await s3.querier(0, 1e6)).select([]);
  assert.deepEqual(samplesOf(again!.samples).map((p) => p.value), [1, 2, 3, 4, 9]);
  await s3.close();
});

test('a corrupted record in an older segment: later segments are still read, the loss is reported', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = JournaledStorage.open(opts(dir.path, { segmentBytes: 120 }));
  for (let i = 1; i <= 6; i++) await write(s1, [[l('m'), i * 1000, i]]);
  await s1.close();
  const segs = segments(dir.path);
  assert.ok(segs.length >= 3, `expected several segments, got ${segs.length}`);
  const first = segs[0] ?? '';
  const bytes = readFileSync(first);
  bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 0xff;
  writeFileSync(first, bytes);
  const s2 = JournaledStorage.open(opts(dir.path));
  assert.equal(s2.replayReport.problems.length, 1);
  assert.match(s2.replayReport.problems[0] ?? '', /checksum mismatch/);
  const [series] = await (await s2.querier(0, 1e6)).select([]);
  const values = samplesOf(series!.samples).map((p) => p.value);
  assert.ok(values.includes(6) && values.length === 5, `lost exactly the corrupted record: ${values.join(',')}`);
  await s2.close();
});

test('a file that is not a journal segment is reported, not served', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = JournaledStorage.open(opts(dir.path));
  await write(s1, [[l('m'), 1000, 1]]);
  await s1.close();
  const fd = openSync(join(dir.path, 'journal', '00000000.journal'), 'w');
  writeSync(fd, 'garbage that is not a journal');
  closeSync(fd);
  const s2 = JournaledStorage.open(opts(dir.path));
  assert.match(s2.replayReport.problems.join(';'), /00000000.journal at offset 0: bad segment header/);
  assert.equal((await (await s2.querier(0, 1e6)).select([])).length, 1);
  await s2.close();
});

test('regression: the stale marker keeps its exact NaN bits through memory and the journal', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = JournaledStorage.open(opts(dir.path));
  await write(s1, [[l('m'), 1000, 1], [l('m'), 2000, STALE_NAN], [l('m'), 3000, NaN]]);
  const live = samplesOf((await (await s1.querier(0, 5000)).select([]))[0]!.samples);
  assert.deepEqual(live.map((p) => isStaleMarker(p.value)), [false, true, false]);
  await s1.close();
  const s2 = JournaledStorage.open(opts(dir.path));
  const replayed = samplesOf((await (await s2.querier(0, 5000)).select([]))[0]!.samples);
  assert.deepEqual(replayed.map((p) => isStaleMarker(p.value)), [false, true, false]);
  assert.ok(Number.isNaN(replayed[2]?.value));
  await s2.close();
});

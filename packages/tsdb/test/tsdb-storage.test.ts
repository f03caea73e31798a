import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStaleMarker, matcher, STALE_NAN } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import { grid, l, opts, values, write } from './helpers.js';
import { samplesOf } from '@fathom/storage';

test('append, select, label names and values; data survives a restart via the WAL', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = TsdbStorage.open(opts(dir.path));
  await write(s1, [[l('up', { job: 'a' }), 1000, 1], [l('up', { job: 'b' }), 1000, STALE_NAN], [l('other'), 1500, 7]]);
  const q = await s1.querier(0, 3000);
  assert.deepEqual(await q.labelNames(), ['__name__', 'job']);
  assert.deepEqual(await q.labelValues('job', [matcher('__name__', '=', 'up')]), ['a', 'b']);
  await s1.close();
  const s2 = TsdbStorage.open(opts(dir.path));
  const up = await (await s2.querier(0, 3000)).select([matcher('job', '=', 'b')]);
  assert.ok(isStaleMarker(samplesOf(up[0]!.samples)[0]?.value ?? 0), 'stale marker survives the checkpoint');
  assert.deepEqual(s2.openReport.problems, []);
  await s2.close();
});

test('restart without a clean close replays the WAL; with checkpoints only the tail is replayed', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = TsdbStorage.open(opts(dir.path, { checkpointEveryBytes: 20_000, walSegmentBytes: 8_000 }));
  for (let i = 0; i < 40; i++) await write(s1, grid(10, 5, 1 + i * 5));
  assert.equal(s1.lastCheckpointError, undefined);
  // no close(): as after a crash
  const files = readdirSync(join(dir.path, 'wal'));
  assert.ok(files.some((f) => f.startsWith('checkpoint.')), `a checkpoint was written: ${files.join(' ')}`);
  assert.ok(files.filter((f) => f.endsWith('.wal')).length < 6, `covered segments are deleted: ${files.join(' ')}`);
  const s2 = TsdbStorage.open(opts(dir.path));
  assert.ok(s2.openReport.checkpointSeries === 10);
  const v = await values(s2);
  assert.equal(v.size, 10);
  assert.deepEqual(v.get('3'), Array.from({ length: 200 }, (_, i) => 3000 + i + 1));
  assert.deepEqual(s2.openReport.problems, []);
  await s2.close();
});

test('a torn WAL tail is cut and reported; everything before it is kept; appends go on', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = TsdbStorage.open(opts(dir.path));
  await write(s1, grid(3, 10));
  await write(s1, grid(3, 10, 11));
  const seg = join(dir.path, 'wal', '00000001.wal');
  const size = statSync(seg).size;
  writeFileSync(seg, readFileSync(seg).subarray(0, size - 7)); // tear the second record
  const s2 = TsdbStorage.open(opts(dir.path));
  assert.equal(s2.openReport.problems.length, 1);
  assert.match(s2.openReport.problems[0] ?? '', /00000001\.wal at offset \d+: torn record/);
  assert.deepEqual((await values(s2)).get('1'), Array.from({ length: 10 }, (_, i) => 1001 + i), 'the first batch is intact, the torn one is gone');
  await write(s2, grid(3, 1, 50));
  await s2.close();
  const s3 = TsdbStorage.open(opts(dir.path));
  assert.deepEqual(s3.openReport.problems, []);
  assert.equal((await values(s3)).get('2')?.length, 11);
  await s3.close();
});

test('a corrupted byte in a WAL record fails its checksum: dropped and reported, never served', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = TsdbStorage.open(opts(dir.path));
  await write(s1, grid(2, 5));
  const seg = join(dir.path, 'wal', '00000001.wal');
  const goodSize = statSync(seg).size;
  await write(s1, grid(2, 5, 6));
  const buf = readFileSync(seg);
  buf[goodSize + 20] = (buf[goodSize + 20] ?? 0) ^ 0x55;
  writeFileSync(seg, buf);
  const s2 = TsdbStorage.open(opts(dir.path));
  assert.match(s2.openReport.problems.join('\n'), /checksum mismatch/);
  assert.deepEqual((await values(s2)).get('0'), [1, 2, 3, 4, 5]);
  await s2.close();
});

test('a damaged checkpoint keeps the series before the damage and reports the rest', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = TsdbStorage.open(opts(dir.path));
  await write(s1, grid(20, 30));
  await s1.close();
  const cp = readdirSync(join(dir.path, 'wal')).find((f) => f.startsWith('checkpoint.')) ?? '';
  const path = join(dir.path, 'wal', cp);
  const buf = readFileSync(path);
  buf[Math.floor(buf.length / 2)] = (buf[Math.floor(buf.length / 2)] ?? 0) ^ 0xff;
  writeFileSync(path, buf);
  const s2 = TsdbStorage.open(opts(dir.path));
  assert.match(s2.openReport.problems.join('\n'), new RegExp(`${cp.replace('.', '\\.')} at offset \\d+: checksum mismatch; the series after it are lost`));
  const v = await values(s2);
  assert.ok(v.size > 0 && v.size < 20, `${v.size} series kept`);
  for (const [k, vals] of v) assert.deepEqual(vals, Array.from({ length: 30 }, (_, i) => Number(k) * 1000 + i + 1), `series ${k} is exact`);
  await s2.close();
});

test('garbage appended to a segment and a segment with a foreign header are reported, not fatal', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = TsdbStorage.open(opts(dir.path, { walSegmentBytes: 1000 }));
  for (let i = 0; i < 5; i++) await write(s1, grid(2, 10, 1 + i * 10));
  const segs = readdirSync(join(dir.path, 'wal')).filter((f) => f.endsWith('.wal')).sort();
  assert.ok(segs.length >= 2, segs.join(' '));
  writeFileSync(join(dir.path, 'wal', segs[0] ?? ''), 'not a wal at all');
  appendFileSync(join(dir.path, 'wal', segs[segs.length - 1] ?? ''), Buffer.alloc(30, 0xab));
  const s2 = TsdbStorage.open(opts(dir.path));
  assert.match(s2.openReport.problems.join('\n'), /bad segment header/);
  assert.match(s2.openReport.problems.join('\n'), /implausible|torn|checksum/);
  assert.ok((await values(s2)).size <= 2);
  await s2.close();
});

test('retention drops old samples and GCs series; old samples are refused', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  let now = 1_000_000_000;
  const s = TsdbStorage.open(opts(dir.path, { retentionMs: 3_600_000, nowMs: () => now }));
  const app = s.appender();
  for (let i = 0; i < 400; i++) app.append(l('old', { pod: 'gone' }), now - 3_600_000 + i * 1000, i);
  for (let i = 0; i < 400; i++) app.append(l('new', { pod: 'here' }), now + i * 1000, i);
  await app.commit();
  now += 3_600_000 + 100_000;
  const r = s.applyRetention();
  assert.equal(r.seriesRemoved, 1);
  assert.equal(s.stats().series, 1);
  const late = s.appender();
  late.append(l('new', { pod: 'here' }), 1000, 1);
  const res = await late.commit();
  assert.equal(res.rejected, 1);
  assert.match(res.errors[0]?.message ?? '', /out of bounds/);
  await s.close();
});

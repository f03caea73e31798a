import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsKey, labelsOf, matcher } from '@fathom/model';
import { BatchState, ChunkArena, Head, seriesKey } from '../src/index.js';
import { samplesOf } from '@fathom/storage';

test('chunk arena: views stay valid after release; a slab goes when all its chunks are released', () => {
  const arena = new ChunkArena();
  const refs: number[] = [];
  for (let i = 0; i < 2000; i++) refs.push(arena.putBytes(Uint8Array.from({ length: 100 }, (_, j) => (i + j) & 0xff)));
  assert.ok(arena.slabCount > 1, 'spread over several slabs');
  const view = arena.view(refs[5] ?? 0, 100);
  for (const r of refs.slice(0, 1000)) arena.release(r);
  assert.equal(view[0], 5, 'a view outlives the release of its chunk');
  const slabsLeft = arena.slabCount;
  for (const r of refs.slice(1000)) arena.release(r);
  assert.ok(arena.slabCount <= 1 && arena.slabCount < slabsLeft, `only the slab being filled is kept (${arena.slabCount})`);
  const again = arena.putBytes(Uint8Array.of(7, 8, 9));
  assert.deepEqual([...arena.view(again, 3)], [7, 8, 9]);
});

test('head: sealed chunks live in the arena; a block cut and series GC give the slabs back', () => {
  const head = new Head({ maxSeries: 10_000, maxSeriesPerMetric: 10_000, outOfOrderWindowMs: 0 });
  const series = Array.from({ length: 200 }, (_, i) => labelsOf({ __name__: 'm', pod: `p${i}` }));
  for (let t = 0; t < 1000; t++) {
    for (const l of series) {
      const batch = new BatchState();
      assert.equal(head.checkOne(l, t * 10_000, t * 1.5, batch), undefined);
      head.apply(l, t * 10_000, t * 1.5);
    }
  }
  const [one] = head.select([matcher('pod', '=', 'p7')], 0, 1e12);
  assert.deepEqual(samplesOf(one!.samples).map((p) => p.value), Array.from({ length: 1000 }, (_, t) => t * 1.5));
  const bytesBefore = head.arena.slabBytes;
  const slabsBefore = head.arena.slabCount;
  const taken = head.cutBefore(8_000_000);
  assert.equal(taken.length, 200);
  assert.deepEqual(taken[7]?.chunks.flatMap((c) => [c.minTMs, c.maxTMs, c.count]), [0, 1_190_000, 120, 1_200_000, 2_390_000, 120, 2_400_000, 3_590_000, 120, 3_600_000, 4_790_000, 120, 4_800_000, 5_990_000, 120, 6_000_000, 7_190_000, 120, 7_200_000, 7_990_000, 80]);
  head.dropEmptySeries();
  assert.ok(head.arena.slabBytes < bytesBefore && head.arena.slabCount < slabsBefore, `cut chunks released (${head.arena.slabBytes} of ${bytesBefore} bytes left)`);
  assert.equal(samplesOf(head.select([matcher('pod', '=', 'p7')], 0, 1e12)[0]!.samples)[0]?.tMs, 8_000_000);
  head.gc(1e12);
  assert.equal(head.arena.slabCount <= 1, true);
});

test('seriesKey is labelsKey, built flat', () => {
  const l = labelsOf({ __name__: 'container_cpu', namespace: 'ns-1', pod: 'p\u00e9-1', a: '' });
  assert.equal(seriesKey(l), labelsKey(l));
});

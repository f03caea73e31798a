import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStaleMarker, STALE_NAN } from '@fathom/model';
import { ColumnsBuilder, columnsOf, EMPTY_COLUMNS, samplesOf, sliceColumns } from '../src/index.js';

test('ColumnsBuilder: grows past its capacity, keeps order, and NaN payloads (the stale marker) bit-exact', () => {
  const b = new ColumnsBuilder(2);
  b.push(1000, 1);
  b.push(2000, STALE_NAN);
  b.push(3000, NaN);
  b.pushRange(columnsOf([{ tMs: 4000, value: 4 }, { tMs: 5000, value: 5 }]), 1, 2);
  const c = b.finish();
  assert.deepEqual(Array.from(c.tMs), [1000, 2000, 3000, 5000]);
  assert.deepEqual(samplesOf(c).map((p) => isStaleMarker(p.value)), [false, true, false, false]);
  assert.ok(Number.isNaN(c.values[2]));
  assert.equal(b.lastTMs, 5000);
});

test('sample columns: an empty builder gives the shared empty columns; slices are views', () => {
  assert.equal(new ColumnsBuilder(4).finish(), EMPTY_COLUMNS);
  const c = columnsOf([{ tMs: 1, value: 10 }, { tMs: 2, value: 20 }, { tMs: 3, value: 30 }]);
  assert.equal(sliceColumns(c, 0, 3), c);
  const mid = sliceColumns(c, 1, 2);
  assert.deepEqual(samplesOf(mid), [{ tMs: 2, value: 20 }]);
  assert.equal(mid.values.buffer, c.values.buffer);
});

test('ColumnsBuilder: builders sharing a slab never overlap, whatever the order of their pushes and finishes', () => {
  const builders = Array.from({ length: 50 }, (_, k) => new ColumnsBuilder(k % 7));
  const want: number[][] = builders.map(() => []);
  for (let i = 0; i < 2000; i++) {
    const k = (i * 31) % builders.length;
    builders[k]!.push(i, k + i / 10_000);
    want[k]!.push(k + i / 10_000);
  }
  const done = builders.map((b, k) => (k % 2 === 0 ? b.finish() : undefined));
  const later = [...Array.from({ length: 20 }, (_, k) => new ColumnsBuilder(100 + k))];
  for (const b of later) for (let i = 0; i < 150; i++) b.push(i, -i);
  builders.forEach((b, k) => {
    const c = done[k] ?? b.finish();
    assert.deepEqual(Array.from(c.values), want[k], `builder ${k}`);
    assert.deepEqual(Array.from(b.finish().values), want[k], `builder ${k}, finished twice`);
  });
  for (const b of later) assert.deepEqual(Array.from(b.finish().values), Array.from({ length: 150 }, (_, i) => -i));
});

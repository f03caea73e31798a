/**
 * Column arenas (column-arena.ts): builders made inside `withArena` carve from the arena's slabs,
 * others from the shared ones; a released arena is handed to the next acquirer with the same slabs,
 * which it carves over; misuse (a second release, carving after release) throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ColumnArena, ColumnsBuilder, withArena } from '../src/index.js';
import type { SampleColumns } from '../src/index.js';

function columns(n: number, base: number): SampleColumns {
  const b = new ColumnsBuilder(n);
  for (let i = 0; i < n; i++) b.push(base + i, base * 10 + i);
  return b.finish();
}

test('builders inside withArena carve from the arena; outside, from the shared slabs', () => {
  const arena = ColumnArena.acquire();
  const [a, b] = withArena(arena, () => [columns(100, 1), columns(50, 2)]);
  const c = columns(100, 3);
  assert.equal(a.tMs.buffer, b.tMs.buffer, 'two carves of one arena share its slab');
  assert.notEqual(a.tMs.buffer, c.tMs.buffer, 'the shared carver has slabs of its own');
  assert.equal(arena.slabCount, 1);
  // carves follow each other in the slab
  assert.equal(b.tMs.byteOffset, a.values.byteOffset + 100 * 8);
  assert.deepEqual([...a.tMs.subarray(0, 3)], [1, 2, 3]);
  assert.deepEqual([...b.values.subarray(0, 3)], [20, 21, 22]);
  arena.release();
});

test('a released arena goes to the next acquirer, which carves over the same slabs', () => {
  const first = ColumnArena.acquire();
  const kept = withArena(first, () => columns(1000, 7));
  const slab = kept.tMs.buffer;
  first.release();
  const second = ColumnArena.acquire();
  assert.equal(second, first, 'reused while alive');
  const next = withArena(second, () => columns(1000, 9));
  assert.equal(next.tMs.buffer, slab);
  assert.equal(kept.tMs[0], 9, 'what the first reader kept is overwritten: hence read nothing after release');
  second.release();
});

test('arenas in use at once are distinct; carves past a slab take the next one', () => {
  const a = ColumnArena.acquire();
  const b = ColumnArena.acquire();
  assert.notEqual(a, b);
  const many = withArena(a, () => Array.from({ length: 20 }, (_, i) => columns(8000, i)));
  assert.ok(a.slabCount >= 2, `slabs: ${a.slabCount}`);
  many.forEach((c, i) => assert.equal(c.values[7999], i * 10 + 7999, 'every carve kept its own range'));
  const before = b.slabCount;
  const big = withArena(b, () => columns(40_000, 1));
  assert.equal(b.slabCount, before, 'a carve larger than an eighth of a slab gets an array of its own');
  assert.equal(big.tMs[39_999], 40_000);
  a.release();
  b.release();
});

test('a builder that ends short gives its tail back to the arena', () => {
  const arena = ColumnArena.acquire();
  const [a, b] = withArena(arena, () => {
    const short = new ColumnsBuilder(100);
    for (let i = 0; i < 10; i++) short.push(i, -i);
    return [short.finish(), columns(5, 3)];
  });
  assert.deepEqual([...a.values], [-0, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
  assert.equal(b.tMs.byteOffset, a.tMs.byteOffset + 20 * 8, 'the next carve starts right after the 10 times and 10 values');
  arena.release();
});

test('misuse throws: a second release, carving from a released arena', () => {
  const a = ColumnArena.acquire();
  a.release();
  assert.throws(() => a.release(), /released twice/);
  assert.throws(() => withArena(a, () => columns(10, 1)), /used after release/);
  const again = ColumnArena.acquire(); // the pool still hands it out, healthy
  assert.deepEqual([...withArena(again, () => columns(3, 4)).tMs], [4, 5, 6]);
  again.release();
});

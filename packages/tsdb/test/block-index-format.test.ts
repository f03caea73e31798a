/**
 * The block index format: version 2 stores chunk times and refs as deltas and decodes to exactly
 * what was encoded, whatever the order of the refs and times; version 1 indexes are still read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { labelsOf } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { decodeIndex, encodeIndex, INDEX_MAGIC, INDEX_MAGIC_V1 } from '../src/block/block-index.js';
import type { IndexInput } from '../src/block/block-index.js';
import { Block } from '../src/block/block-reader.js';
import { writeBlock } from '../src/block/block-writer.js';
import { XorEncoder } from '../src/chunk/xor-chunk.js';
import { ByteWriter } from '../src/wal/codec.js';

function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => (s = (s * 1103515245 + 12345) % 2 ** 31) % n;
}

/** Series with chunks whose refs and times go forwards, backwards, far and negative. */
function input(withState: boolean): IndexInput {
  const rnd = random(11);
  const series = Array.from({ length: 60 }, (_, k) => {
    let t = rnd(3) === 0 ? -5_000_000 + rnd(1000) : 1_790_000_000_000 + rnd(1_000_000);
    const refs = Array.from({ length: rnd(5) }, () => {
      const minTMs = (t += rnd(4) === 0 ? -rnd(100_000) : 10_000 + rnd(50_000));
      const maxTMs = minTMs + rnd(1_200_000);
      t = maxTMs;
      return { minTMs, maxTMs, count: 1 + rnd(120), ref: 8 + rnd(50_000_000), len: 5 + rnd(4_000) };
    });
    return { labels: labelsOf({ __name__: 'm', k: String(k).padStart(3, '0') }), refs, ...(withState ? { end: { counter: rnd(1000) / 7, prev: rnd(50) } } : {}) };
  });
  return { series, withState };
}

for (const withState of [false, true]) {
  test(`index v2 (${withState ? 'rollup' : 'raw'} block): decodes to exactly the chunk refs, times, counts and state encoded`, () => {
    const inp = input(withState);
    const buf = encodeIndex(inp);
    assert.ok(buf.subarray(0, 8).equals(INDEX_MAGIC));
    const x = decodeIndex(buf, withState, 60_000_000);
    inp.series.forEach((s, ord) => {
      assert.deepEqual(x.labels(ord), s.labels);
      const got = [];
      for (let k = x.chunkStart[ord]!; k < x.chunkStart[ord + 1]!; k++) got.push({ minTMs: x.chunkMinT[k], maxTMs: x.chunkMaxT[k], count: x.chunkCount[k], ref: x.chunkRef[k], len: x.chunkLen[k] });
      assert.deepEqual(got, s.refs, `series ${ord}`);
      if (withState) assert.deepEqual([x.endCounter![ord], x.endPrev![ord]], [s.end!.counter, s.end!.prev]);
    });
  });
}

/** The same index written as version 1 (absolute int64 times, absolute refs). */
function encodeV1(inp: IndexInput): Buffer {
  const symbols = [...new Set(inp.series.flatMap((s) => Object.entries(s.labels).flat()))].sort();
  const sym = new Map(symbols.map((v, i) => [v, i]));
  const w = new ByteWriter().raw(INDEX_MAGIC_V1).uvarint(symbols.length);
  for (const v of symbols) w.string(v);
  w.uvarint(inp.series.length);
  const postings = new Map<string, number[]>();
  inp.series.forEach((s, ord) => {
    const names = Object.keys(s.labels);
    w.uvarint(names.length);
    for (const n of names) {
      w.uvarint(sym.get(n)!).uvarint(sym.get(s.labels[n]!)!);
      const key = `${sym.get(n)!}/${sym.get(s.labels[n]!)!}`;
      postings.set(key, [...(postings.get(key) ?? []), ord]);
    }
    w.uvarint(s.refs.length);
    for (const c of s.refs) w.int64(c.minTMs).uvarint(c.maxTMs - c.minTMs).uvarint(c.count).uvarint(c.ref).uvarint(c.len);
  });
  const entries = [...postings].map(([k, ids]) => [...k.split('/').map(Number), ids] as [number, number, number[]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  w.uvarint(entries.length);
  for (const [n, v, ids] of entries) {
    w.uvarint(n).uvarint(v).uvarint(ids.length);
    let prev = 0;
    for (const id of ids) {
      w.uvarint(id - prev);
      prev = id;
    }
  }
  return Buffer.from(w.finish());
}

test('a block whose index is version 1 still opens and serves the same chunks', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const series = Array.from({ length: 30 }, (_, k) => ({
    labels: labelsOf({ __name__: 'm', k: String(k).padStart(2, '0') }),
    chunks: Array.from({ length: 1 + (k % 4) }, (_, c) => {
      const e = new XorEncoder();
      for (let i = 0; i < 20; i++) e.append((c * 20 + i) * 10_000, k + i / 3);
      return { minTMs: e.minTMs, maxTMs: e.maxTMs, count: e.count, bytes: e.bytes() };
    }),
  }));
  writeBlock(dir.path, { minTMs: 0, maxTMs: 800_000, resolutionMs: 0, level: 1, sources: [], nowMs: 1 }, series);
  const id = readdirSync(dir.path)[0]!;
  const path = join(dir.path, id);
  const v2 = Block.open(path);
  if (typeof v2 === 'string') throw new Error(v2);
  const want = Array.from({ length: v2.seriesCount }, (_, ord) => [v2.labels(ord), v2.chunks(ord).map((c) => [c.minTMs, c.maxTMs, c.count, Buffer.from(c.bytes).toString('hex')])]);
  const x = decodeIndex(readFileSync(join(path, 'index')), false, Infinity);
  const inp: IndexInput = {
    withState: false,
    series: Array.from({ length: x.seriesCount }, (_, ord) => ({
      labels: x.labels(ord),
      refs: Array.from({ length: x.chunkStart[ord + 1]! - x.chunkStart[ord]! }, (_, j) => {
        const k = x.chunkStart[ord]! + j;
        return { minTMs: x.chunkMinT[k]!, maxTMs: x.chunkMaxT[k]!, count: x.chunkCount[k]!, ref: x.chunkRef[k]!, len: x.chunkLen[k]! };
      }),
    })),
  };
  v2.close();
  const v1 = encodeV1(inp);
  writeFileSync(join(path, 'index'), v1);
  const meta = JSON.parse(readFileSync(join(path, 'meta.json'), 'utf8')) as { files: { index: { bytes: number; crc32: number } } };
  meta.files.index = { bytes: v1.length, crc32: crc32(v1) };
  writeFileSync(join(path, 'meta.json'), JSON.stringify(meta));
  const old = Block.open(path);
  if (typeof old === 'string') throw new Error(old);
  t.after(() => old.close());
  const got = Array.from({ length: old.seriesCount }, (_, ord) => [old.labels(ord), old.chunks(ord).map((c) => [c.minTMs, c.maxTMs, c.count, Buffer.from(c.bytes).toString('hex')])]);
  assert.deepEqual(got, want);
  assert.ok(v1.length > encodeIndex(inp).length, 'version 2 is the smaller one');
});

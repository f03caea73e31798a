import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@fathom/testkit';
import { Head, TsdbStorage } from '../src/index.js';
import { writeBlock } from '../src/block/block-writer.js';
import { Block } from '../src/block/block-reader.js';
import { decodeXorChunk, XorEncoder } from '../src/chunk/xor-chunk.js';
import { ByteWriter } from '../src/wal/codec.js';
import { checkpointName, loadCheckpoint, writeCheckpoint } from '../src/wal/checkpoint.js';
import { beginRecord, endRecord, frameRecord, readRecord, RecordType } from '../src/wal/records.js';
import { grid, l, opts, write } from './helpers.js';

const MiB = 1 << 20;
const limits = { maxSeries: 1e6, maxSeriesPerMetric: 1e6, outOfOrderWindowMs: 0 };

test('ByteWriter: a reset keeps the grown buffer (no new allocation for the next record); past the retain bound it lets it go', () => {
  const w = new ByteWriter(16, 1024);
  for (let i = 0; i < 100; i++) w.int64(i);
  const grown = w.view().buffer;
  assert.equal(w.reset().length, 0);
  for (let i = 0; i < 100; i++) w.int64(i);
  assert.equal(w.view().buffer, grown, 'same memory after reset');
  for (let i = 0; i < 200; i++) w.int64(i);
  assert.ok(w.capacity > 1024);
  w.reset();
  assert.equal(w.capacity, 16, 'an outsized buffer is not pinned');
});

test('ByteWriter: strings are encoded in place exactly as a length-prefixed Buffer.from', () => {
  for (const s of ['', 'a', 'pod-7f9c', 'ünïcødé ✓ 𝄞', 'x'.repeat(300)]) {
    const bytes = Buffer.from(s, 'utf8');
    assert.deepEqual(new ByteWriter(1).string(s).finish(), new ByteWriter(1).bytes(bytes).finish(), s);
  }
});

test('records framed in place (beginRecord/endRecord) are byte for byte frameRecord, and read back', () => {
  const payload = new ByteWriter().uvarint(3).int64(-5).float64(Math.PI).string('x').finish();
  const w = new ByteWriter(8).raw(Buffer.from('HDR'));
  const at = beginRecord(w, RecordType.Samples);
  w.uvarint(3).int64(-5).float64(Math.PI).string('x');
  endRecord(w, at);
  const framed = frameRecord(RecordType.Samples, Buffer.from(payload));
  assert.deepEqual(w.view(3), framed);
  const r = readRecord(w.finish(), 3);
  assert.ok(!('problem' in r));
  assert.equal(r.type, RecordType.Samples);
  assert.deepEqual(r.payload, payload);
});

/** ~4 MiB of sealed chunks (random values compress badly) over 800 series. */
function bigHead(): Head {
  const head = new Head(limits);
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let k = 0; k < 800; k++) {
    const s = head.getOrCreate(l('big', { k: String(k) }));
    for (let i = 0; i < 1200; i++) head.applyTo(s, i * 10_000, rnd());
  }
  return head;
}

test('a checkpoint is written in bounded pieces through the scratch writer (never its whole image in memory) and loads back', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const head = bigHead();
  const scratch = new ByteWriter(1024);
  writeCheckpoint(dir.path, 3, head, scratch);
  const bytes = statSync(join(dir.path, checkpointName(3))).size;
  assert.ok(bytes > 4 * MiB, `checkpoint of ${bytes} bytes`);
  assert.ok(scratch.capacity <= 2 * MiB, `scratch grew to ${scratch.capacity} bytes for a ${bytes}-byte checkpoint`);
  assert.equal(scratch.length, 0, 'scratch left empty');
  const back = new Head(limits);
  const load = loadCheckpoint(dir.path, back);
  assert.deepEqual(load?.problems, []);
  assert.equal(load?.series, 800);
  for (const s of head.allSeries()) {
    const b = back.byKey(s.key);
    assert.ok(b);
    assert.deepEqual(b.samples(0, Infinity), s.samples(0, Infinity));
  }
});

test('a block larger than a flush piece: chunks and index CRCs match meta.json and every chunk reads back', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  let seed = 11;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const series = Array.from({ length: 500 }, (_, k) => ({
    labels: l('blk', { k: String(k).padStart(3, '0'), pod: `pod-${'p'.repeat(200)}-${k}` }),
    chunks: Array.from({ length: 10 }, (_, c) => {
      const enc = new XorEncoder();
      for (let i = 0; i < 120; i++) enc.append((c * 120 + i) * 10_000, rnd());
      return { minTMs: c * 120 * 10_000, maxTMs: (c * 120 + 119) * 10_000, count: 120, bytes: enc.bytes() };
    }),
  }));
  const meta = writeBlock(dir.path, { minTMs: 0, maxTMs: 12_000_000, resolutionMs: 0, level: 1, sources: [], nowMs: 1 }, series);
  assert.ok(meta.files.chunks.bytes > 2 * MiB, `chunks file of ${meta.files.chunks.bytes} bytes`);
  assert.equal(statSync(join(dir.path, meta.id, 'index')).size, meta.files.index.bytes);
  assert.ok(readFileSync(join(dir.path, meta.id, 'index')).subarray(0, 8).equals(Buffer.from('FTHMBIX2')));
  const b = Block.open(join(dir.path, meta.id));
  if (typeof b === 'string') assert.fail(b);
  assert.equal(b.seriesCount, 500);
  for (let ord = 0; ord < b.seriesCount; ord++) {
    const src = series.find((s) => s.labels['k'] === b.labels(ord)['k']);
    const got = b.chunks(ord);
    assert.equal(got.length, 10);
    got.forEach((c, i) => {
      const want: number[] = [];
      decodeXorChunk(src?.chunks[i]?.bytes ?? new Uint8Array(0), (_t, v) => want.push(v));
      const have: number[] = [];
      decodeXorChunk(c.bytes, (_t, v) => have.push(v));
      assert.deepEqual(have, want);
    });
  }
  b.close();
});

test('ByteWriter.shrink gives back a grown buffer only when empty and beyond keepBytes', () => {
  const w = new ByteWriter(16);
  for (let i = 0; i < 1000; i++) w.int64(i);
  assert.equal(w.shrink(), false, 'not while it holds bytes');
  w.reset();
  assert.equal(w.shrink(1 << 20), false, 'within keepBytes');
  assert.ok(w.capacity >= 8000);
  assert.equal(w.shrink(), true);
  assert.equal(w.capacity, 16);
  assert.equal(w.int64(5).length, 8, 'usable after');
});

test('the engine keeps its grown scratch writer while commits come, and gives it back once writes pause for 250 ms', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s = TsdbStorage.open(opts(dir.path, { fsync: 'never' }));
  t.after(() => s.close());
  const initial = s.scratchBytes;
  await write(s, grid(2000, 100)); // a ~2 MiB samples record
  const grown = s.scratchBytes;
  assert.ok(grown > MiB, `grew to ${grown}`);
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 100));
    await write(s, grid(2, 1, 200 + i));
    assert.equal(s.scratchBytes, grown, `kept while writes come (${(i + 1) * 100} ms)`);
  }
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(s.scratchBytes, initial, 'given back once writes paused');
  await write(s, grid(2000, 100, 300));
  assert.ok(s.scratchBytes > MiB, 'grows again for the next burst');
});

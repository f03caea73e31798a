import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStaleMarker, labelsKey, STALE_NAN } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { CHECKPOINT_MAGIC, CHECKPOINT_MAGIC_V1, TsdbStorage, XorEncoder } from '../src/index.js';
import { ByteReader, ByteWriter } from '../src/wal/codec.js';
import { loadCheckpoint, readSymbolLabels } from '../src/wal/checkpoint.js';
import { Head } from '../src/head/head.js';
import { frameRecord, RecordType } from '../src/wal/records.js';
import { grid, l, opts, values, write } from './helpers.js';
import { samplesOf } from '@fathom/storage';

const meta = frameRecord(RecordType.CheckpointMeta, new ByteWriter().int64(0).finish());
const end = (n: number): Buffer => frameRecord(RecordType.CheckpointEnd, new ByteWriter().uvarint(n).finish());
const symbols = (list: readonly string[]): Buffer => {
  const w = new ByteWriter().uvarint(list.length);
  for (const s of list) w.string(s);
  return frameRecord(RecordType.CheckpointSymbols, w.finish());
};
/** A v2 snapshot of series `id` with labels as symbol refs, one open chunk of `samples`. */
const snapV2 = (id: number, refs: readonly number[], samples: readonly [number, number][]): Buffer => {
  const w = new ByteWriter().uvarint(id).uvarint(refs.length / 2);
  for (const r of refs) w.uvarint(r);
  const last = samples[samples.length - 1];
  w.uvarint(1).int64(last?.[0] ?? 0).float64(last?.[1] ?? 0).uvarint(0);
  const enc = new XorEncoder();
  for (const [t, v] of samples) enc.append(t, v);
  return frameRecord(RecordType.SeriesSnapshotV2, w.bytes(enc.bytes()).uvarint(0).finish());
};

function putCheckpoint(dataDir: string, ...parts: Buffer[]): string {
  const wal = join(dataDir, 'wal');
  mkdirSync(wal, { recursive: true });
  writeFileSync(join(wal, 'checkpoint.00000001'), Buffer.concat(parts));
  return 'checkpoint.00000001';
}

test('checkpoint v2: labels through a symbol table, sealed and open chunks, out-of-order samples and stale markers round-trip', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = TsdbStorage.open(opts(dir.path));
  await write(s1, grid(30, 300));
  await write(s1, [[l('u', { pod: 'pé-ü', empty: '' }), 5_000, STALE_NAN], [l('u', { pod: 'pé-ü', empty: '' }), 7_000, 2]]);
  await write(s1, [[l('g', { k: '3' }), 2_995_000, -1]]); // out of order, within the window
  await s1.close();
  const cp = readdirSync(join(dir.path, 'wal')).find((f) => f.startsWith('checkpoint.')) ?? '';
  assert.ok(readFileSync(join(dir.path, 'wal', cp)).subarray(0, 8).equals(CHECKPOINT_MAGIC), 'written as version 2');
  const s2 = TsdbStorage.open(opts(dir.path));
  assert.deepEqual(s2.openReport.problems, []);
  assert.equal(s2.openReport.checkpointSeries, 31);
  const v = await values(s2);
  for (const [k, vals] of v) {
    const want = Array.from({ length: 300 }, (_, i) => Number(k) * 1000 + i + 1);
    if (k === '3') want.splice(299, 0, -1);
    assert.deepEqual(vals, want, `series ${k}`);
  }
  const [u] = await (await s2.querier(0, 1e9)).select([{ name: '__name__', type: '=', value: 'u', matches: (x) => x === 'u' }]);
  assert.deepEqual(u?.labels, l('u', { pod: 'pé-ü', empty: '' }));
  assert.ok(isStaleMarker(samplesOf(u.samples)[0]?.value ?? 0));
  await write(s2, grid(30, 10, 301)); // appends go on after the restored open chunks (sealed at load)
  assert.deepEqual((await values(s2)).get('7')?.slice(-3), [7308, 7309, 7310]);
  await s2.close();
});

test('checkpoint v1 (labels as strings) is still read: sealed and open chunks', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const sealed = new XorEncoder();
  for (let i = 1; i <= 120; i++) sealed.append(i * 10_000, i);
  const open = new XorEncoder();
  for (let i = 121; i <= 130; i++) open.append(i * 10_000, i);
  const w = new ByteWriter().uvarint(1).uvarint(2).string('__name__').string('g').string('k').string('0');
  w.uvarint(1).int64(1_300_000).float64(130).uvarint(1).int64(10_000).int64(1_200_000).uvarint(120).bytes(sealed.bytes());
  w.bytes(open.bytes()).uvarint(0).uvarint(0);
  putCheckpoint(dir.path, CHECKPOINT_MAGIC_V1, meta, frameRecord(RecordType.SeriesSnapshot, w.finish()), end(1));
  const s = TsdbStorage.open(opts(dir.path));
  assert.deepEqual(s.openReport.problems, []);
  await write(s, [[l('g', { k: '0' }), 1_310_000, 131]]);
  assert.deepEqual((await values(s)).get('0'), Array.from({ length: 131 }, (_, i) => i + 1));
  await s.close();
});

const CORRUPT: readonly (readonly [string, (dir: string) => string, RegExp, number])[] = [
  ['a symbol ref out of range', (d) => putCheckpoint(d, CHECKPOINT_MAGIC, meta, symbols(['__name__', 'g', 'k', '0', '1']), snapV2(1, [0, 1, 2, 3], [[10_000, 1]]), snapV2(2, [0, 1, 2, 9], [[10_000, 2]]), end(2)), /undecodable record \(label symbol ref out of range \(table of 5\)\); the series after it are lost/, 1],
  ['a series snapshot before the symbol table', (d) => putCheckpoint(d, CHECKPOINT_MAGIC, meta, snapV2(1, [0, 1, 2, 3], [[10_000, 1]]), symbols(['__name__', 'g', 'k', '0']), end(1)), /series snapshot before the symbol table/, 0],
  ['a damaged symbol table', (d) => {
    const sym = symbols(['__name__', 'g', 'k', '0']);
    sym[sym.length - 1] = (sym[sym.length - 1] ?? 0) ^ 0xff;
    return putCheckpoint(d, CHECKPOINT_MAGIC, meta, sym, snapV2(1, [0, 1, 2, 3], [[10_000, 1]]), end(1));
  }, /checksum mismatch; the series after it are lost/, 0],
  ['a checkpoint of a newer format version', (d) => putCheckpoint(d, Buffer.from('FTHMCKP9', 'ascii'), meta, end(0)), /checkpoint format version "9" is not supported by this build \(it reads 1 and 2\); its series are lost/, 0],
];

for (const [what, make, problem, kept] of CORRUPT) {
  test(`checkpoint v2 corruption: ${what} is reported, the series before it are served, the engine starts`, async (t) => {
    const dir = await tempDir();
    t.after(dir.cleanup);
    const name = make(dir.path);
    const s = TsdbStorage.open(opts(dir.path));
    assert.match(s.openReport.problems.join('\n'), new RegExp(`${name.replace('.', '\\.')}.*${problem.source}`));
    const v = await values(s);
    assert.equal(v.size, kept);
    if (kept > 0) assert.deepEqual(v.get('0'), [1]);
    await write(s, [[l('g', { k: 'new' }), 20_000, 5]]);
    await s.close();
  });
}

test('checkpoint v2: the series key is joined as labels are read when names come in order; out of order or repeated, left to seriesKey', () => {
  const symbols = ['__name__', 'up', 'job', 'node', 'a', 'zone', 'eu'];
  const payload = (pairs: readonly [number, number][]): ByteReader => {
    const w = new ByteWriter();
    w.uvarint(pairs.length);
    for (const [n, v] of pairs) w.uvarint(n).uvarint(v);
    return new ByteReader(w.finish());
  };
  const inOrder = readSymbolLabels(payload([[0, 1], [2, 3], [5, 6]]), symbols);
  assert.equal(inOrder.key, labelsKey(inOrder.labels));
  assert.deepEqual({ ...inOrder.labels }, { __name__: 'up', job: 'node', zone: 'eu' });
  assert.equal(readSymbolLabels(payload([[5, 6], [0, 1], [2, 3]]), symbols).key, undefined, 'out of order');
  assert.equal(readSymbolLabels(payload([[0, 1], [2, 3], [2, 4]]), symbols).key, undefined, 'a name twice');
  assert.equal(readSymbolLabels(payload([[7, 1], [0, 1]]), [...symbols, '__proto__']).key, undefined, 'a name the labels object cannot hold');
});

/** The head a checkpoint loads into with pieces of `pieceBytes`, and what the load reported. */
function loadWith(dataDir: string, pieceBytes?: number): { head: Head; problems: readonly string[]; series: number } {
  const head = new Head(opts(dataDir));
  const cp = loadCheckpoint(join(dataDir, 'wal'), head, pieceBytes);
  assert.ok(cp, 'a checkpoint');
  return { head, problems: cp.problems, series: cp.series };
}

/** Every series' sealed chunks (times, counts, bytes) by key, and its last sample. */
function chunksOf(head: Head): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const s of head.matching([{ name: '__name__', type: '=~', value: '.+', matches: () => true }])) out.set(s.key, { chunks: s.chunks.map((c) => ({ ...c, bytes: Buffer.from(c.bytes).toString('hex') })), last: [s.lastTMs, s.lastValue] });
  return out;
}

/** 60 series × 2,000 samples (records of ~2-3 KB) and one of 20,000 (~25 KB): a checkpoint of many pieces of 4 KiB. */
async function bigCheckpoint(dataDir: string): Promise<void> {
  const s = TsdbStorage.open(opts(dataDir, { checkpointEveryBytes: 1e12 }));
  for (let from = 1; from <= 2000; from += 500) {
    const long: [ReturnType<typeof l>, number, number][] = [];
    for (let i = from * 10; i < (from + 500) * 10; i++) long.push([l('long', { k: 'x' }), i * 1000, Math.cos(i) * 100]);
    await write(s, long);
    await write(s, grid(60, 500, from).map(([lb, tMs, v]) => [lb, tMs, v + Math.sin(tMs) * 1e-3] as [typeof lb, number, number]));
  }
  await s.close();
}

test('checkpoint pieces: records across piece ends and records longer than a piece load exactly as from one piece; chunks are views of the pieces', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await bigCheckpoint(dir.path);
  const whole = loadWith(dir.path);
  const small = loadWith(dir.path, 4096);
  assert.deepEqual(small.problems, []);
  assert.equal(small.series, 61);
  assert.deepEqual(chunksOf(small.head), chunksOf(whole.head), 'the same chunks, bit for bit');
  const g = small.head.matching([{ name: '__name__', type: '=', value: 'g', matches: (x) => x === 'g' }]);
  const slabSizes = new Set(g.flatMap((x) => x.chunks.map((c) => c.bytes.buffer.byteLength)));
  assert.ok([...slabSizes].every((n) => n <= 4096), `chunks are views of the 4 KiB pieces, not copies in the arena's slabs (${[...slabSizes].join(', ')} B)`);
  const s = TsdbStorage.open(opts(dir.path));
  const v = await values(s);
  assert.deepEqual(v.get('7')?.length, 2000);
  assert.deepEqual(v.get('7')?.slice(0, 2), [7001 + Math.sin(10_000) * 1e-3, 7002 + Math.sin(20_000) * 1e-3]);
  await s.close();
});

test('checkpoint pieces: a damaged record in a later piece is reported at its file offset; the series before it are served', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await bigCheckpoint(dir.path);
  const name = readdirSync(join(dir.path, 'wal')).find((f) => f.startsWith('checkpoint.'))!;
  const path = join(dir.path, 'wal', name);
  const buf = readFileSync(path);
  const starts: number[] = [];
  for (let off = 8; off < buf.length; off += 9 + buf.readUInt32BE(off)) starts.push(off);
  const victim = starts[Math.floor(starts.length * 0.7)]!;
  assert.ok(victim > 3 * 4096, 'past the first pieces');
  buf[victim + 20] = (buf[victim + 20] ?? 0) ^ 0x5a;
  writeFileSync(path, buf);
  for (const pieceBytes of [4096, undefined]) {
    const got = loadWith(dir.path, pieceBytes);
    assert.deepEqual(got.problems, [`${name} at offset ${victim}: checksum mismatch; the series after it are lost`]);
    assert.equal(got.series, starts.indexOf(victim) - 2, 'the series before it (after the meta and symbol records)');
    assert.equal(got.head.seriesCount, got.series);
  }
});

test('checkpoint pieces: the slabs adopted from the pieces go once their chunks are cut from the head', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await bigCheckpoint(dir.path);
  const { head } = loadWith(dir.path, 4096);
  assert.ok(head.arena.slabCount > 10, `${head.arena.slabCount} slabs held`);
  head.cutBefore(Infinity);
  assert.ok(head.arena.slabCount <= 1, `${head.arena.slabCount} slabs left (at most the arena's own current one)`);
});

test('checkpoint pieces: a file cut anywhere (torn header, torn record, at a piece end) loads as from one piece: the same series, the same problem', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await bigCheckpoint(dir.path);
  const name = readdirSync(join(dir.path, 'wal')).find((f) => f.startsWith('checkpoint.'))!;
  const path = join(dir.path, 'wal', name);
  const whole = readFileSync(path);
  const cuts = [4096, 4097, 4100, 3 * 4096 + 8, 3 * 4096 + 9, 5 * 4096 + 300, whole.length - 1, whole.length - 9];
  for (const at of cuts) {
    writeFileSync(path, whole.subarray(0, at));
    const small = loadWith(dir.path, 4096);
    const one = loadWith(dir.path);
    assert.equal(small.problems.length, 1, `cut at ${at}`);
    assert.deepEqual(small.problems, one.problems, `cut at ${at}`);
    assert.equal(small.series, one.series, `cut at ${at}`);
    assert.deepEqual(chunksOf(small.head), chunksOf(one.head), `cut at ${at}`);
  }
});

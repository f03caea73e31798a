import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { tempDir, waitFor } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import { INDEX_MAGIC } from '../src/block/block-index.js';
import { grid, opts, values, write } from './helpers.js';
import { samplesOf } from '@fathom/storage';

const RANGE = 60_000;

/** 20 series × 200 samples at 10 s, 1-minute blocks: ~30 cuts and several compactions. */
async function filled(dir: string): Promise<void> {
  const s = TsdbStorage.open(opts(dir, { blockRangeMs: RANGE }));
  const all = grid(20, 200);
  for (let i = 0; i < all.length; i += 200) await write(s, all.slice(i, i + 200));
  await s.close();
}

function expected(k: number, tMs: number): number {
  return k * 1000 + tMs / 10_000;
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

test('blocks: the head is cut into blocks, compacted, the WAL truncated; restart serves blocks + head exactly', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await filled(dir.path);
  const s = TsdbStorage.open(opts(dir.path, { blockRangeMs: RANGE }));
  const st = s.blockStatus();
  assert.ok(st.blocks.length >= 3, `${st.blocks.length} blocks`);
  assert.ok(st.blocks.some((b) => b.level > 1), 'some blocks were compacted');
  assert.equal(st.damagedTotal, 0);
  assert.ok(dirBytes(join(dir.path, 'wal')) < 20_000, 'the WAL and checkpoint hold the head only');
  const v = await values(s);
  assert.equal(v.size, 20);
  for (const [k, vals] of v) assert.deepEqual(vals, Array.from({ length: 200 }, (_, i) => Number(k) * 1000 + i + 1));
  const q = await s.querier(500_000, 700_000);
  const part = await q.select([{ name: 'k', type: '=', value: '3', matches: (x) => x === '3' }]);
  assert.deepEqual(samplesOf(part[0]!.samples).map((p) => p.tMs), Array.from({ length: 21 }, (_, i) => 500_000 + i * 10_000));
  assert.deepEqual(await q.labelValues('k'), Array.from({ length: 20 }, (_, i) => String(i)).sort());
  await s.close();
});

test('deferMaintenance: open cuts nothing (the head past 1.5 ranges is served as is); the next applyRetention cuts', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = TsdbStorage.open(opts(dir.path, { checkpointEveryBytes: 1e12 }));
  await write(s1, grid(5, 30)); // 5 min of head in 2 h blocks: nothing to cut; reopened with 1-minute blocks below
  const s2 = TsdbStorage.open(opts(dir.path, { blockRangeMs: RANGE, deferMaintenance: true })); // as after kill -9 of s1
  assert.equal(s2.blockStatus().blocks.length, 0, 'no cut at open');
  const want = (k: string): number[] => Array.from({ length: 30 }, (_, i) => Number(k) * 1000 + i + 1);
  for (const [k, vals] of await values(s2)) assert.deepEqual(vals, want(k));
  s2.applyRetention();
  assert.ok(s2.blockStatus().blocks.length > 0, 'cut by the first maintenance');
  for (const [k, vals] of await values(s2)) assert.deepEqual(vals, want(k));
  await s2.close();
});

/** Each case damages the oldest block on purpose; the engine must start, set it aside, report it and serve the rest exactly. */
const CORRUPTIONS: readonly { name: string; file: string; damage: (path: string) => Promise<void>; why: RegExp }[] = [
  { name: 'a flipped byte in the index', file: 'index', damage: (p) => flip(p, 40), why: /index checksum mismatch/ },
  { name: 'a flipped byte in the chunks', file: 'chunks', damage: (p) => flip(p, 30), why: /chunks checksum mismatch/ },
  { name: 'truncated chunks', file: 'chunks', damage: (p) => truncate(p, 20), why: /torn or truncated/ },
  { name: 'truncated index', file: 'index', damage: (p) => truncate(p, 10), why: /torn or truncated/ },
  { name: 'missing meta.json', file: 'meta.json', damage: (p) => remove(p), why: /meta.json is missing/ },
  { name: 'meta.json not JSON', file: 'meta.json', damage: (p) => overwrite(p, '{"version":1,'), why: /not JSON/ },
  { name: 'meta.json of an unknown version', file: 'meta.json', damage: (p) => edit(p, (m) => ({ ...m, version: 99 })), why: /unsupported version 99/ },
  { name: 'meta.json with sizes that do not match', file: 'meta.json', damage: (p) => edit(p, (m) => ({ ...m, files: { ...(m['files'] as object), chunks: { bytes: 1, crc32: 0 } } })), why: /torn or truncated/ },
  { name: 'missing chunks file', file: 'chunks', damage: (p) => remove(p), why: /chunks unreadable/ },
];

for (const c of CORRUPTIONS) {
  test(`block corruption: ${c.name} → the block is set aside and reported, the rest is served exactly`, async (t) => {
    const src = await tempDir();
    t.after(src.cleanup);
    await filled(src.path);
    const probe = TsdbStorage.open(opts(src.path, { blockRangeMs: RANGE }));
    const victim = probe.blockStatus().blocks[0];
    await probe.close();
    assert.ok(victim);
    await c.damage(join(src.path, 'blocks', victim.id, c.file));
    const s = TsdbStorage.open(opts(src.path, { blockRangeMs: RANGE }));
    const problem = s.openReport.problems.find((p) => p.includes(victim.id));
    assert.ok(problem, `reported: ${s.openReport.problems.join(' | ')}`);
    assert.match(problem, c.why);
    assert.equal(s.blockStatus().damagedTotal, 1);
    assert.equal(s.stats().damagedTotal, 1, 'counted (fathom_server_storage_damaged_total)');
    assert.ok(!s.blockStatus().blocks.some((b) => b.id === victim.id));
    const v = await values(s);
    let served = 0;
    for (const [k, vals] of v) {
      const q = await (await s.querier(0, 1e15)).select([{ name: 'k', type: '=', value: k, matches: (x) => x === k }]);
      for (const p of samplesOf(q[0]!.samples)) {
        assert.equal(p.value, expected(Number(k), p.tMs), 'never a wrong value');
        assert.ok(p.tMs < victim.minTMs || p.tMs >= victim.maxTMs, 'nothing from the damaged block');
      }
      served += vals.length;
    }
    assert.equal(served, 20 * 200 - victim.samples, 'everything outside the damaged block is served');
    assert.ok(readdirSync(join(src.path, 'blocks')).includes(`${victim.id}.damaged`), 'kept on disk for inspection');
    await s.close();
  });
}

test('block corruption after open: the query fails with a clear error, the block is set aside, later queries serve the rest', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await filled(dir.path);
  const s = TsdbStorage.open(opts(dir.path, { blockRangeMs: RANGE }));
  const victim = s.blockStatus().blocks[0];
  assert.ok(victim);
  await flip(join(dir.path, 'blocks', victim.id, 'chunks'), 30);
  await assert.rejects(values(s), /chunk checksum mismatch/);
  assert.equal(s.blockStatus().damagedTotal, 1);
  const v = await values(s);
  assert.equal([...v.values()].reduce((n, x) => n + x.length, 0), 20 * 200 - victim.samples);
  await s.close();
});

test('block indexes: none decoded at open; a query decodes the blocks it reads, the rest are decoded indexDecodeDelayMs after open', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await filled(dir.path);
  const s = TsdbStorage.open(opts(dir.path, { blockRangeMs: RANGE, indexDecodeDelayMs: 1000, deferMaintenance: true })); // as the server opens it
  const decoded = (): boolean[] => s.blockStatus().blocks.map((b) => b.indexDecoded);
  assert.ok(decoded().length >= 3);
  assert.deepEqual(decoded(), decoded().map(() => false), 'open decodes no raw block index');
  const newest = s.blockStatus().blocks.at(-1)!;
  const q = await s.querier(newest.minTMs, newest.maxTMs - 1);
  const part = await q.select([{ name: 'k', type: '=', value: '3', matches: (x) => x === '3' }]);
  assert.equal(samplesOf(part[0]!.samples).length, newest.samples / 20, 'the query is answered from the block');
  assert.deepEqual(decoded(), decoded().map((_, i, all) => i === all.length - 1), 'only the block read');
  await waitUntil(() => decoded().every(Boolean));
  const v = await values(s);
  for (const [k, vals] of v) assert.deepEqual(vals, Array.from({ length: 200 }, (_, i) => Number(k) * 1000 + i + 1));
  await s.close();
});

test('block indexes: blocks written while running (cuts, compactions) are decoded and checked as they are adopted', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s = TsdbStorage.open(opts(dir.path, { blockRangeMs: RANGE, indexDecodeDelayMs: 3_600_000 })); // no decoding by timer
  const all = grid(20, 200);
  for (let i = 0; i < all.length; i += 200) await write(s, all.slice(i, i + 200));
  s.applyRetention(); // compacts
  assert.ok(s.blockStatus().blocks.length >= 3 && s.blockStatus().blocks.some((b) => b.level > 1), 'cut and compacted');
  assert.ok(s.blockStatus().blocks.every((b) => b.indexDecoded));
  await s.close();
});

/** Replaces a block's index with bytes of the right magic that do not decode, and makes meta.json's size and CRC agree with them (as a writer's bug would). */
async function undecodableIndex(blockDir: string): Promise<void> {
  const bytes = Buffer.concat([INDEX_MAGIC, Buffer.from([5, 1, 0x61])]); // 5 symbols, then the index ends inside the second
  writeFileSync(join(blockDir, 'index'), bytes);
  await edit(join(blockDir, 'meta.json'), (m) => ({ ...m, files: { ...(m['files'] as object), index: { bytes: bytes.length, crc32: crc32(bytes) } } }));
}

for (const via of ['a query', 'the decoding after open'] as const) {
  test(`an index that passes its CRC but does not decode, found by ${via}: the block is set aside and reported, the rest is served exactly`, async (t) => {
    const dir = await tempDir();
    t.after(dir.cleanup);
    await filled(dir.path);
    const probe = TsdbStorage.open(opts(dir.path, { blockRangeMs: RANGE }));
    const victim = probe.blockStatus().blocks[0]!;
    await probe.close();
    await undecodableIndex(join(dir.path, 'blocks', victim.id));
    const s = TsdbStorage.open(opts(dir.path, { blockRangeMs: RANGE, indexDecodeDelayMs: via === 'a query' ? 3_600_000 : 0 }));
    assert.deepEqual(s.openReport.problems, [], 'its CRC matches: open takes it');
    if (via === 'a query') await assert.rejects(values(s), new RegExp(`block ${victim.id}: index undecodable`));
    else await waitUntil(() => s.blockStatus().damagedTotal > 0);
    assert.equal(s.blockStatus().damagedTotal, 1);
    assert.match(s.blockStatus().problems.join(' | '), new RegExp(`block ${victim.id}: .*index undecodable.*set aside as ${victim.id}.damaged`));
    assert.ok(readdirSync(join(dir.path, 'blocks')).includes(`${victim.id}.damaged`));
    const v = await values(s);
    for (const [k, vals] of v) assert.deepEqual(vals, Array.from({ length: 200 }, (_, i) => Number(k) * 1000 + i + 1).filter((x) => {
      const tMs = (x - Number(k) * 1000) * 10_000;
      return tMs < victim.minTMs || tMs >= victim.maxTMs;
    }));
    await s.close();
  });
}

function waitUntil(ok: () => boolean): Promise<true> {
  return waitFor('in time', () => Promise.resolve(ok() ? true : undefined), 5000, 10);
}

/** A filled data dir, its blocks folder and a block that compaction made. */
async function compacted(dataDir: string): Promise<{ merged: { id: string }; blocks: string }> {
  await filled(dataDir);
  const s0 = TsdbStorage.open(opts(dataDir, { blockRangeMs: RANGE }));
  const merged = s0.blockStatus().blocks.find((b) => b.level > 1);
  await s0.close();
  assert.ok(merged);
  return { merged, blocks: join(dataDir, 'blocks') };
}

test('an interrupted block write (.tmp) and an interrupted compaction (sources still there) are cleaned up at open', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const { merged, blocks } = await compacted(dir.path);
  cpSync(join(blocks, merged.id), join(blocks, `${merged.id.slice(0, 12)}ffffffffff.tmp`), { recursive: true });
  // resurrect a "source" of the merged block: a copy of the merged block under another id, listed as its source
  const { readFileSync, writeFileSync } = await import('node:fs');
  const ghost = `${merged.id.slice(0, 12)}0000000000`;
  cpSync(join(blocks, merged.id), join(blocks, ghost), { recursive: true });
  writeFileSync(join(blocks, ghost, 'meta.json'), readFileSync(join(blocks, merged.id, 'meta.json'), 'utf8').replace(merged.id, ghost));
  const m = JSON.parse(readFileSync(join(blocks, merged.id, 'meta.json'), 'utf8')) as { compaction: { sources: string[] } };
  m.compaction.sources.push(ghost);
  writeFileSync(join(blocks, merged.id, 'meta.json'), JSON.stringify(m));
  // the edited meta.json no longer matches nothing else: sizes/CRCs are of index and chunks, so it still opens
  const s = TsdbStorage.open(opts(dir.path, { blockRangeMs: RANGE }));
  assert.deepEqual(s.openReport.problems, []);
  assert.ok(!readdirSync(blocks).some((f) => f.endsWith('.tmp')));
  assert.ok(!readdirSync(blocks).includes(ghost), 'the superseded source is deleted');
  const v = await values(s);
  for (const [k, vals] of v) assert.deepEqual(vals, Array.from({ length: 200 }, (_, i) => Number(k) * 1000 + i + 1));
  await s.close();
});

test('an interrupted compaction whose result passes its CRCs but does not decode: the result is set aside and reported, its sources kept and served', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const { merged, blocks } = await compacted(dir.path);
  // a "source" of the merged block, still there as after a crash before the sources' deletion: a copy under another id
  const source = `${merged.id.slice(0, 12)}0000000000`;
  cpSync(join(blocks, merged.id), join(blocks, source), { recursive: true });
  await edit(join(blocks, source, 'meta.json'), (m) => ({ ...m, id: source, compaction: { ...(m['compaction'] as object), level: 1, sources: [] } }));
  await edit(join(blocks, merged.id, 'meta.json'), (m) => ({ ...m, compaction: { ...(m['compaction'] as { sources: string[] }), sources: [source] } }));
  await undecodableIndex(join(blocks, merged.id));
  const s = TsdbStorage.open(opts(dir.path, { blockRangeMs: RANGE }));
  assert.match(s.openReport.problems.join(' | '), new RegExp(`block ${merged.id}: index undecodable .*set aside as ${merged.id}\\.damaged`));
  assert.ok(readdirSync(blocks).includes(source), 'the source is kept');
  const v = await values(s);
  for (const [k, vals] of v) assert.deepEqual(vals, Array.from({ length: 200 }, (_, i) => Number(k) * 1000 + i + 1), 'everything served, from the source');
  await s.close();
});

async function flip(path: string, at: number): Promise<void> {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const b = readFileSync(path);
  b[at] = (b[at] ?? 0) ^ 0x5a;
  writeFileSync(path, b);
}
async function truncate(path: string, by: number): Promise<void> {
  const { truncateSync } = await import('node:fs');
  truncateSync(path, statSync(path).size - by);
}
async function remove(path: string): Promise<void> {
  const { rmSync } = await import('node:fs');
  rmSync(path);
}
async function overwrite(path: string, text: string): Promise<void> {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path, text);
}
async function edit(path: string, fn: (m: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const { readFileSync, writeFileSync } = await import('node:fs');
  writeFileSync(path, JSON.stringify(fn(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)));
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, readdirSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labelsKey } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { XorEncoder } from '../src/chunk/xor-chunk.js';
import { Block, BlockCorruptError } from '../src/block/block-reader.js';
import type { ChunkRequest } from '../src/block/block-reader.js';
import { writeBlock } from '../src/block/block-writer.js';
import type { BlockChunk } from '../src/block/block-index.js';

const MIN = 60_000;

/** 40 series, each 1-6 chunks of 20 samples at 10 s from t=0 (sizes differ, so the records do too). */
function seriesIn(): { labels: Record<string, string>; chunks: BlockChunk[] }[] {
  return Array.from({ length: 40 }, (_, k) => {
    const chunks: BlockChunk[] = [];
    for (let c = 0; c < 1 + (k % 6); c++) {
      const e = new XorEncoder();
      for (let i = 0; i < 20; i++) e.append((c * 20 + i) * 10_000, k * 1.5 + ((i * 7 + k) % 13));
      chunks.push({ minTMs: e.minTMs, maxTMs: e.maxTMs, count: e.count, bytes: e.bytes() });
    }
    return { labels: { __name__: 'm', k: String(k).padStart(2, '0') }, chunks };
  });
}

async function opened(t: { after: (fn: () => unknown) => void }): Promise<{ block: Block; dir: string }> {
  const dir = await tempDir();
  t.after(dir.cleanup);
  writeBlock(dir.path, { minTMs: 0, maxTMs: 6 * 20 * 10_000, resolutionMs: 0, level: 1, sources: [], nowMs: 1_000 }, seriesIn());
  const id = readdirSync(dir.path)[0]!;
  const block = Block.open(join(dir.path, id));
  if (typeof block === 'string') throw new Error(block);
  t.after(() => block.close());
  return { block, dir: join(dir.path, id) };
}

/** What a reader sees of chunks: their bounds, counts and bytes. */
const view = (cs: readonly BlockChunk[]): unknown => cs.map((c) => [c.minTMs, c.maxTMs, c.count, Buffer.from(c.bytes).toString('hex')]);

test('chunksOfMany returns per series exactly what chunks() returns, for any windows and any read size', async (t) => {
  const { block } = await opened(t);
  let seed = 7;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (const maxReadBytes of [1, 64, 300, 4 << 20]) {
    for (let round = 0; round < 20; round++) {
      const reqs: ChunkRequest[] = [];
      for (let ord = 0; ord < block.seriesCount; ord++) {
        if (rnd(3) === 0) continue;
        const minMs = rnd(3) === 0 ? -Infinity : rnd(25) * MIN;
        reqs.push({ ord, minMs, maxMs: rnd(4) === 0 ? Infinity : minMs + rnd(10) * MIN });
      }
      const many = block.chunksOfMany(reqs, maxReadBytes);
      assert.equal(many.length, reqs.length);
      reqs.forEach((r, i) => assert.deepEqual(view(many[i]!), view(block.chunks(r.ord, r.minMs, r.maxMs)), `ord ${r.ord} [${r.minMs}, ${r.maxMs}] reads ≤ ${maxReadBytes}`));
    }
  }
  const all = block.chunksOfMany(Array.from({ length: block.seriesCount }, (_, ord) => ({ ord, minMs: -Infinity, maxMs: Infinity })));
  assert.equal(all.reduce((n, cs) => n + cs.length, 0), seriesIn().reduce((n, s) => n + s.chunks.length, 0), 'every chunk once');
});

test('chunksOfMany checks every record: a flipped byte in one series fails the batch with BlockCorruptError', async (t) => {
  const { block, dir } = await opened(t);
  const chunksFile = join(dir, 'chunks');
  const at = Math.floor(readFileSync(chunksFile).length / 2);
  const fd = openSync(chunksFile, 'r+');
  writeSync(fd, Buffer.from([readFileSync(chunksFile)[at]! ^ 0x5a]), 0, 1, at);
  closeSync(fd);
  const reqs = Array.from({ length: block.seriesCount }, (_, ord) => ({ ord, minMs: -Infinity, maxMs: Infinity }));
  assert.throws(() => block.chunksOfMany(reqs), (err: unknown) => err instanceof BlockCorruptError && /chunk checksum mismatch|chunk at offset/.test(err.message));
});

test('keyOf is the labels key; it keeps the keys share() holds (built once) and builds the others at every ask', async (t) => {
  const { block } = await opened(t);
  const held = new Set<string>();
  for (let ord = 0; ord < block.seriesCount; ord += 2) held.add(labelsKey(block.labels(ord)));
  const asked = new Map<number, number>();
  for (let round = 0; round < 3; round++) {
    for (let ord = 0; ord < block.seriesCount; ord++) {
      const key = block.keyOf(ord, (k) => {
        asked.set(ord, (asked.get(ord) ?? 0) + 1);
        return held.has(k) ? k : undefined;
      });
      assert.equal(key, labelsKey(block.labels(ord)));
    }
  }
  for (let ord = 0; ord < block.seriesCount; ord++) assert.equal(asked.get(ord), ord % 2 === 0 ? 1 : 3, `ord ${ord}`);
});

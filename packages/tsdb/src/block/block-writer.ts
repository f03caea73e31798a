/**
 * Writes one block atomically: `<id>.tmp/` gets `chunks`, `index` and, last, `meta.json`, each
 * fsynced; the directory is fsynced, renamed to `<id>/`, and the parent fsynced. A crash leaves
 * either no block or a `.tmp` directory that the next open deletes.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { CHUNKS_MAGIC, compareLabels, encodeChunkRecord, encodeIndex } from './block-index.js';
import type { BlockSeriesIn, IndexInput } from './block-index.js';
import { BLOCK_VERSION, newBlockId } from './meta.js';
import type { BlockMeta } from './meta.js';

export interface NewBlock {
  readonly minTMs: number;
  readonly maxTMs: number;
  readonly resolutionMs: number;
  readonly level: number;
  readonly sources: readonly string[];
  readonly nowMs: number;
}

/** Writes `series` (any order; empty ones skipped) as a new block under `parentDir`; returns its meta. */
export function writeBlock(parentDir: string, spec: NewBlock, series: readonly BlockSeriesIn[]): BlockMeta {
  const id = newBlockId(spec.nowMs);
  const tmp = join(parentDir, `${id}.tmp`);
  mkdirSync(tmp, { recursive: true });
  try {
    const sorted = series.filter((s) => s.chunks.length > 0).sort((a, b) => compareLabels(a.labels, b.labels));
    const chunks = writeChunks(join(tmp, 'chunks'), sorted);
    const index = encodeIndex({ series: chunks.refs, withState: spec.resolutionMs > 0 });
    writeFile(join(tmp, 'index'), [index]);
    const meta: BlockMeta = {
      version: BLOCK_VERSION,
      id,
      minTMs: spec.minTMs,
      maxTMs: spec.maxTMs,
      resolutionMs: spec.resolutionMs,
      stats: { series: sorted.length, chunks: chunks.count, samples: chunks.samples },
      compaction: { level: spec.level, sources: spec.sources },
      files: { index: { bytes: index.length, crc32: crc32(index) }, chunks: { bytes: chunks.bytes, crc32: chunks.crc } },
    };
    writeFile(join(tmp, 'meta.json'), [Buffer.from(`${JSON.stringify(meta, null, 1)}\n`)]);
    syncDir(tmp);
    renameSync(tmp, join(parentDir, id));
    syncDir(parentDir);
    return meta;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

function writeChunks(path: string, series: readonly BlockSeriesIn[]): { refs: IndexInput['series'][number][]; count: number; samples: number; bytes: number; crc: number } {
  const parts: Buffer[] = [CHUNKS_MAGIC];
  let off = CHUNKS_MAGIC.length;
  let count = 0;
  let samples = 0;
  const refs = series.map((s) => ({
    labels: s.labels,
    ...(s.end ? { end: s.end } : {}),
    refs: s.chunks.map((c) => {
      const rec = encodeChunkRecord(c.bytes);
      parts.push(rec);
      const ref = { minTMs: c.minTMs, maxTMs: c.maxTMs, count: c.count, ref: off, len: rec.length };
      off += rec.length;
      count++;
      samples += c.count;
      return ref;
    }),
  }));
  const crc = writeFile(path, parts);
  return { refs, count, samples, bytes: off, crc };
}

/** Writes the parts, fsyncs, returns the CRC-32 of the whole file. */
function writeFile(path: string, parts: readonly Buffer[]): number {
  const fd = openSync(path, 'w');
  let crc = 0;
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = (): void => {
      const buf = Buffer.concat(pending);
      let o = 0;
      while (o < buf.length) o += writeSync(fd, buf, o, buf.length - o);
      pending = [];
      pendingBytes = 0;
    };
    for (const p of parts) {
      crc = crc32(p, crc);
      pending.push(p);
      pendingBytes += p.length;
      if (pendingBytes >= 1 << 20) flush();
    }
    flush();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return crc;
}

export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

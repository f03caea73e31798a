/**
 * Writes one block atomically: `<id>.tmp/` gets `chunks`, `index` and, last, `meta.json`, each
 * fsynced; the directory is fsynced, renamed to `<id>/`, and the parent fsynced. A crash leaves
 * either no block or a `.tmp` directory that the next open deletes.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { fsyncDirSync } from '@fathom/kit';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { ByteWriter } from '../wal/codec.js';
import { CHUNKS_MAGIC, compareLabels, writeChunkRecord, writeIndex } from './block-index.js';
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

/** Block files are written in pieces of about this size. */
const FLUSH_BYTES = 1 << 20;

let shared: ByteWriter | undefined;
/**
 * The buffer every block of this process is written through: {@link writeBlock} is synchronous,
 * so one grown once serves them all, instead of a Buffer per chunk record and 1 MiB concatenations.
 */
function scratch(): ByteWriter {
  shared ??= new ByteWriter(FLUSH_BYTES + 64 * 1024);
  return shared;
}

/** Writes a small file whole and fsyncs it. */
function writeSmallFile(path: string, buf: Buffer): void {
  const fd = openSync(path, 'w');
  try {
    let o = 0;
    while (o < buf.length) o += writeSync(fd, buf, o, buf.length - o);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `series` (any order; empty ones skipped) as a new block under `parentDir`; returns its meta. */
export function writeBlock(parentDir: string, spec: NewBlock, series: readonly BlockSeriesIn[]): BlockMeta {
  const id = newBlockId(spec.nowMs);
  const tmp = join(parentDir, `${id}.tmp`);
  mkdirSync(tmp, { recursive: true });
  try {
    const sorted = series.filter((s) => s.chunks.length > 0).sort((a, b) => compareLabels(a.labels, b.labels));
    const w = scratch();
    const chunks = writeChunks(join(tmp, 'chunks'), sorted, w);
    const index = writeIndexFile(join(tmp, 'index'), w, { series: chunks.refs, withState: spec.resolutionMs > 0 });
    const meta: BlockMeta = {
      version: BLOCK_VERSION,
      id,
      minTMs: spec.minTMs,
      maxTMs: spec.maxTMs,
      resolutionMs: spec.resolutionMs,
      stats: { series: sorted.length, chunks: chunks.count, samples: chunks.samples },
      compaction: { level: spec.level, sources: spec.sources },
      files: { index: { bytes: index.bytes, crc32: index.crc }, chunks: { bytes: chunks.bytes, crc32: chunks.crc } },
    };
    writeSmallFile(join(tmp, 'meta.json'), Buffer.from(`${JSON.stringify(meta, null, 1)}\n`));
    fsyncDirSync(tmp);
    renameSync(tmp, join(parentDir, id));
    fsyncDirSync(parentDir);
    return meta;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

function writeChunks(path: string, series: readonly BlockSeriesIn[], w: ByteWriter): { refs: IndexInput['series'][number][]; count: number; samples: number; bytes: number; crc: number } {
  const file = new FileSink(path, w);
  let count = 0;
  let samples = 0;
  try {
    w.raw(CHUNKS_MAGIC);
    const refs = series.map((s) => ({
      labels: s.labels,
      ...(s.end ? { end: s.end } : {}),
      refs: s.chunks.map((c) => {
        const off = file.offset;
        writeChunkRecord(w, c.bytes);
        const ref = { minTMs: c.minTMs, maxTMs: c.maxTMs, count: c.count, ref: off, len: file.offset - off };
        file.maybeFlush();
        count++;
        samples += c.count;
        return ref;
      }),
    }));
    const { bytes, crc } = file.close();
    return { refs, count, samples, bytes, crc };
  } finally {
    file.abandon();
  }
}

function writeIndexFile(path: string, w: ByteWriter, input: IndexInput): { bytes: number; crc: number } {
  const file = new FileSink(path, w);
  try {
    writeIndex(w, input, () => file.maybeFlush());
    return file.close();
  } finally {
    file.abandon();
  }
}

/**
 * A file written from a {@link ByteWriter} in pieces of about {@link FLUSH_BYTES} (CRC-32 kept as
 * it goes), so no file's image is ever whole in memory; `close` flushes the rest and fsyncs.
 */
class FileSink {
  private _fd: number | undefined;
  private _written = 0;
  private _crc = 0;

  constructor(
    path: string,
    private readonly _w: ByteWriter,
  ) {
    this._fd = openSync(path, 'w');
    _w.reset();
  }

  /** Offset in the file of the next byte written to the writer. */
  get offset(): number {
    return this._written + this._w.length;
  }

  maybeFlush(): void {
    if (this._w.length >= FLUSH_BYTES) this._flush();
  }

  close(): { bytes: number; crc: number } {
    this._flush();
    if (this._fd !== undefined) fsyncSync(this._fd);
    this.abandon();
    return { bytes: this._written, crc: this._crc };
  }

  /** Closes the file descriptor (if still open) and empties the writer; idempotent. */
  abandon(): void {
    this._w.reset();
    if (this._fd === undefined) return;
    closeSync(this._fd);
    this._fd = undefined;
  }

  private _flush(): void {
    const buf = this._w.view();
    this._crc = crc32(buf, this._crc);
    let o = 0;
    while (o < buf.length) o += writeSync(this._fd ?? -1, buf, o, buf.length - o);
    this._written += buf.length;
    this._w.reset();
  }
}


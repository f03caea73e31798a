/**
 * An opened block: meta.json and the whole index are read and checked at open (file sizes and
 * CRC-32s against meta.json, the chunks file's CRC too), so a torn or corrupted block is refused
 * before it can serve anything. The index of a block found at start is decoded when first used
 * (or by {@link Block.decode} on a timer soon after), not at open: decoding a 2 h block of 16,000
 * series takes 20-45 ms of a cold process, most of a restart's block work, and the first queries
 * after a restart mostly want the head. Blocks written while running are decoded as they are
 * adopted (block-store.ts). Once decoded only the compact index stays in memory; chunk records are read on demand
 * (positioned reads) and checked again against their own CRC.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { labelsKey } from '@fathom/model';
import type { Labels, Matcher } from '@fathom/model';
import { CHUNKS_MAGIC, decodeChunkRecord, decodeIndex, hasIndexMagic } from './block-index.js';
import type { BlockChunk, CounterState, DecodedIndex } from './block-index.js';
import { parseMeta } from './meta.js';
import type { BlockMeta } from './meta.js';

/** A chunk record failed its checksum while serving a query: the block is damaged. */
export class BlockCorruptError extends Error {
  override readonly name = 'BlockCorruptError';
  constructor(
    readonly blockId: string,
    message: string,
  ) {
    super(message);
  }
}

/** One series' window in {@link Block.chunksOfMany}. */
export interface ChunkRequest {
  readonly ord: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** What the index says of a series' chunks in a window (see {@link Block.chunkSummary}). */
export interface ChunkSummary {
  readonly count: number;
  /** The first chunk's start and the last one's end. */
  readonly minTMs: number;
  readonly maxTMs: number;
  readonly ordered: boolean;
}

/** The most one batched chunk read takes at once. */
const MAX_BATCH_READ_BYTES = 4 << 20;
/**
 * Records of series not asked for that a batched read takes along rather than split in two (and
 * never more than the bytes it reads for the series asked for: chunks handed out keep their read's
 * buffer): a regex selecting every other pod's series of a metric cut a read per series, and a
 * positioned read costs more than copying this much more from the page cache.
 */
const MAX_READ_GAP_BYTES = 32 << 10;

export class Block {
  private _fd: number | undefined;
  /** {@link keyOf}'s kept keys by ord (holes: not kept). */
  private _keys: (string | undefined)[] | undefined;

  /** The index file's bytes (checked against meta.json's CRC) until {@link decode} turns them into {@link _decoded}. */
  private _indexBytes: Buffer | undefined;
  private _decoded: DecodedIndex | undefined;

  private constructor(
    readonly dir: string,
    readonly meta: BlockMeta,
    indexBytes: Buffer,
    fd: number,
  ) {
    this._indexBytes = indexBytes;
    this._fd = fd;
  }

  /** Opens and verifies a block directory; a string says why it cannot be used. */
  static open(dir: string): Block | string {
    const metaPath = join(dir, 'meta.json');
    if (!existsSync(metaPath)) return 'meta.json is missing';
    const meta = parseMeta(readFileSync(metaPath, 'utf8'), basename(dir));
    if (typeof meta === 'string') return meta;
    let index: Buffer;
    try {
      index = readFileSync(join(dir, 'index'));
    } catch (err) {
      return `index unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
    if (index.length !== meta.files.index.bytes) return `index is ${index.length} bytes, meta.json says ${meta.files.index.bytes} (torn or truncated)`;
    if (crc32(index) !== meta.files.index.crc32) return 'index checksum mismatch';
    let fd: number;
    try {
      fd = openSync(join(dir, 'chunks'), 'r');
    } catch (err) {
      return `chunks unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
    const problem = verifyChunks(fd, meta);
    if (problem) {
      closeSync(fd);
      return problem;
    }
    if (!hasIndexMagic(index)) {
      closeSync(fd);
      return 'index undecodable (bad index header)';
    }
    return new Block(dir, meta, index, fd);
  }

  /** True once the index is decoded (at first use or by {@link decode}). */
  get decoded(): boolean {
    return this._decoded !== undefined;
  }

  /**
   * Decodes the index now if it is not yet. Its CRC matched at open, so only a writer's bug makes
   * this fail: {@link BlockCorruptError}, and the block store sets the block aside as for a bad chunk.
   */
  decode(): DecodedIndex {
    if (this._decoded) return this._decoded;
    if (!this._indexBytes) throw new BlockCorruptError(this.id, `block ${this.id} is closed`);
    try {
      this._decoded = decodeIndex(this._indexBytes, this.meta.resolutionMs > 0, this.meta.files.chunks.bytes);
    } catch (err) {
      throw new BlockCorruptError(this.id, `block ${this.id}: index undecodable (${(err as Error).message})`);
    }
    this._indexBytes = undefined;
    return this._decoded;
  }

  private get _index(): DecodedIndex {
    return this._decoded ?? this.decode();
  }

  get id(): string {
    return this.meta.id;
  }

  get seriesCount(): number {
    return this._index.seriesCount;
  }

  matching(matchers: readonly Matcher[]): number[] {
    return this._index.postings.match(matchers);
  }

  labels(ord: number): Labels {
    return this._index.labels(ord);
  }

  /**
   * The series' label-set key (`labelsKey` of its labels). Selects key every series they read by
   * it, and building it (~20 labels) was a third of a warm tier select's block work, so a key is
   * kept when `share` hands back an equal string held elsewhere (the head's, for a series still
   * there): the block then holds a reference, not a copy. Other keys are built at every ask (a
   * copy per block of every churned series' key would outgrow the block's index).
   */
  keyOf(ord: number, share: (key: string) => string | undefined): string {
    const kept = this._keys?.[ord];
    if (kept !== undefined) return kept;
    const key = labelsKey(this._index.labels(ord));
    const shared = share(key);
    if (shared === undefined) return key;
    (this._keys ??= new Array<string | undefined>(this.seriesCount))[ord] = shared;
    return shared;
  }

  endState(ord: number): CounterState | undefined {
    const c = this._index.endCounter?.[ord];
    const p = this._index.endPrev?.[ord];
    return c === undefined || p === undefined || Number.isNaN(c) ? undefined : { counter: c, prev: p };
  }

  /** True when the series has a chunk overlapping [minMs, maxMs]. */
  overlaps(ord: number, minMs: number, maxMs: number): boolean {
    const x = this._index;
    for (let k = x.chunkStart[ord] ?? 0; k < (x.chunkStart[ord + 1] ?? 0); k++) if ((x.chunkMaxT[k] ?? 0) >= minMs && (x.chunkMinT[k] ?? 0) <= maxMs) return true;
    return false;
  }

  /**
   * The sample count and time bounds of the series' chunks overlapping [minMs, maxMs], from the
   * index (nothing read); `ordered` when each starts after the one before ends. Undefined: none.
   */
  chunkSummary(ord: number, minMs: number, maxMs: number): ChunkSummary | undefined {
    const x = this._index;
    let count = 0;
    let first = NaN;
    let last = -Infinity;
    let ordered = true;
    for (let k = x.chunkStart[ord] ?? 0; k < (x.chunkStart[ord + 1] ?? 0); k++) {
      const lo = x.chunkMinT[k] ?? 0;
      const hi = x.chunkMaxT[k] ?? 0;
      if (hi < minMs || lo > maxMs) continue;
      if (first !== first) first = lo;
      else if (lo <= last) ordered = false;
      last = hi;
      count += x.chunkCount[k] ?? 0;
    }
    return first === first ? { count, minTMs: first, maxTMs: last, ordered } : undefined;
  }

  /** The series' chunks overlapping [minMs, maxMs], read and checked. Throws {@link BlockCorruptError}. */
  chunks(ord: number, minMs = -Infinity, maxMs = Infinity): BlockChunk[] {
    const x = this._index;
    const out: BlockChunk[] = [];
    let first = -1;
    let last = -1;
    for (let k = x.chunkStart[ord] ?? 0; k < (x.chunkStart[ord + 1] ?? 0); k++) {
      if ((x.chunkMaxT[k] ?? 0) < minMs || (x.chunkMinT[k] ?? 0) > maxMs) continue;
      if (first < 0) first = k;
      last = k;
    }
    if (first < 0) return out;
    // a series' records are written one after the other: one positioned read for all of them
    // (a syscall per chunk was most of a cold read), per chunk only if they are not
    const run = this._contiguous(first, last) ? this._readSpan(x.chunkRef[first] ?? 0, (x.chunkRef[last] ?? 0) + (x.chunkLen[last] ?? 0) - (x.chunkRef[first] ?? 0)) : undefined;
    for (let k = first; k <= last; k++) {
      const minTMs = x.chunkMinT[k] ?? 0;
      const maxTMs = x.chunkMaxT[k] ?? 0;
      if (maxTMs < minMs || minTMs > maxMs) continue;
      const ref = x.chunkRef[k] ?? 0;
      const len = x.chunkLen[k] ?? 0;
      const bytes = run ? this._record(run.subarray(ref - (x.chunkRef[first] ?? 0), ref - (x.chunkRef[first] ?? 0) + len), ref) : this._read(ref, len);
      out.push({ minTMs, maxTMs, count: x.chunkCount[k] ?? 0, bytes });
    }
    return out;
  }

  /**
   * The chunks of many series at once, `reqs` in ascending ord (as {@link matching} returns
   * them): per request, its series' chunks overlapping [minMs, maxMs] (an empty array for none).
   * See {@link forChunksOfMany}. Throws {@link BlockCorruptError}.
   */
  chunksOfMany(reqs: readonly ChunkRequest[], maxReadBytes = MAX_BATCH_READ_BYTES): BlockChunk[][] {
    const out: BlockChunk[][] = [];
    this.forChunksOfMany(reqs, (_, chunks) => out.push(chunks), maxReadBytes);
    return out;
  }

  /**
   * Calls `each(i, chunks)` for every request in order, `chunks` being the series' chunks
   * overlapping its window (empty for none). The records of series that follow each other in the
   * file (or with at most {@link MAX_READ_GAP_BYTES} of others between) are read together, up to
   * `maxReadBytes` per read, and handed out before the next read
   * (a caller that does not keep them holds one read's bytes at a time): a cold select of one
   * metric reads hundreds of series that lie side by side, and a positioned read per series was a
   * third of its block reading. Each record is still checked against its CRC. Throws
   * {@link BlockCorruptError}.
   */
  forChunksOfMany(reqs: readonly ChunkRequest[], each: (i: number, chunks: BlockChunk[]) => void, maxReadBytes = MAX_BATCH_READ_BYTES): void {
    const x = this._index;
    const spans = reqs.map((r) => this._span(r));
    for (let i = 0; i < reqs.length; ) {
      const first = spans[i];
      if (!first) {
        const r = reqs[i]!;
        each(i, this._chunkRange(r)[0] < 0 ? [] : this.chunks(r.ord, r.minMs, r.maxMs)); // none, or scattered records
        i++;
        continue;
      }
      let j = i + 1;
      let end = first.end;
      let wanted = first.end - first.start;
      for (; j < reqs.length; j++) {
        const next = spans[j];
        // a gap taken along is at most the bytes wanted so far: a read is never more than half others' records
        if (!next || next.start < end || next.start - end > Math.min(MAX_READ_GAP_BYTES, wanted) || next.end - first.start > maxReadBytes) break;
        end = next.end;
        wanted += next.end - next.start;
      }
      const buf = this._readSpan(first.start, end - first.start);
      for (let k = i; k < j; k++) {
        const sp = spans[k]!;
        const chunks: BlockChunk[] = [];
        for (let c = sp.firstChunk; c <= sp.lastChunk; c++) {
          const minTMs = x.chunkMinT[c] ?? 0;
          const maxTMs = x.chunkMaxT[c] ?? 0;
          if (maxTMs < reqs[k]!.minMs || minTMs > reqs[k]!.maxMs) continue;
          const ref = x.chunkRef[c] ?? 0;
          const at = ref - first.start;
          chunks.push({ minTMs, maxTMs, count: x.chunkCount[c] ?? 0, bytes: this._record(buf.subarray(at, at + (x.chunkLen[c] ?? 0)), ref) });
        }
        each(k, chunks);
      }
      i = j;
    }
  }

  /** First and last chunk of a request's series overlapping its window (-1, -1: none). */
  private _chunkRange(r: ChunkRequest): [number, number] {
    const x = this._index;
    let first = -1;
    let last = -1;
    for (let k = x.chunkStart[r.ord] ?? 0; k < (x.chunkStart[r.ord + 1] ?? 0); k++) {
      if ((x.chunkMaxT[k] ?? 0) < r.minMs || (x.chunkMinT[k] ?? 0) > r.maxMs) continue;
      if (first < 0) first = k;
      last = k;
    }
    return [first, last];
  }

  /** The bytes a request's chunks take in the file, when they are one stretch; undefined for none or scattered records. */
  private _span(r: ChunkRequest): { start: number; end: number; firstChunk: number; lastChunk: number } | undefined {
    const [first, last] = this._chunkRange(r);
    if (first < 0 || !this._contiguous(first, last)) return undefined;
    const x = this._index;
    return { start: x.chunkRef[first] ?? 0, end: (x.chunkRef[last] ?? 0) + (x.chunkLen[last] ?? 0), firstChunk: first, lastChunk: last };
  }

  /** True when the records of chunks `first`…`last` follow each other in the file. */
  private _contiguous(first: number, last: number): boolean {
    const x = this._index;
    for (let k = first; k < last; k++) if ((x.chunkRef[k] ?? 0) + (x.chunkLen[k] ?? 0) !== x.chunkRef[k + 1]) return false;
    return true;
  }

  private _read(ref: number, len: number): Uint8Array {
    return this._record(this._readSpan(ref, len), ref);
  }

  /** `len` bytes of the chunks file from `ref`. Throws {@link BlockCorruptError}. */
  private _readSpan(ref: number, len: number): Buffer {
    if (this._fd === undefined) throw new BlockCorruptError(this.id, `block ${this.id} is closed`);
    const buf = Buffer.allocUnsafe(len);
    const n = readSync(this._fd, buf, 0, len, ref);
    if (n !== len) throw new BlockCorruptError(this.id, `block ${this.id}: chunk at offset ${ref}: short read (${n} of ${len} bytes)`);
    return buf;
  }

  /** The chunk of the record read at `ref`, checked against its CRC. Throws {@link BlockCorruptError}. */
  private _record(buf: Buffer, ref: number): Uint8Array {
    try {
      const b = decodeChunkRecord(buf);
      // a plain Uint8Array view, like the head's chunks: a Buffer here makes the decoder's byte reads polymorphic
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (err) {
      throw new BlockCorruptError(this.id, `block ${this.id}: chunk at offset ${ref}: ${(err as Error).message}`);
    }
  }

  close(): void {
    if (this._fd !== undefined) closeSync(this._fd);
    this._fd = undefined;
    this._indexBytes = undefined;
  }
}

function verifyChunks(fd: number, meta: BlockMeta): string | undefined {
  const size = fstatSync(fd).size;
  if (size !== meta.files.chunks.bytes) return `chunks is ${size} bytes, meta.json says ${meta.files.chunks.bytes} (torn or truncated)`;
  const buf = Buffer.allocUnsafe(Math.min(size, 4 << 20));
  let crc = 0;
  let magic: Buffer | undefined;
  for (let off = 0; off < size; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - off), off);
    if (n <= 0) return 'chunks: short read';
    if (off === 0) magic = Buffer.from(buf.subarray(0, CHUNKS_MAGIC.length));
    crc = crc32(buf.subarray(0, n), crc);
    off += n;
  }
  if (!magic?.equals(CHUNKS_MAGIC)) return 'chunks has a bad header';
  return crc === meta.files.chunks.crc32 ? undefined : 'chunks checksum mismatch';
}

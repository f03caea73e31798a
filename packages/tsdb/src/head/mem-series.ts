/**
 * One series in the head: sealed XOR chunks, the open chunk being appended to, and a sorted
 * buffer for out-of-order samples (within the configured window). Reads merge the three.
 */
import type { Labels, Sample } from '@fathom/model';
import { ColumnsBuilder, SampleBuffer, samplesOf } from '@fathom/storage';
import type { SampleColumns } from '@fathom/storage';
import { XorEncoder, XorIterator, xorChunkSamples } from '../chunk/xor-chunk.js';
import { GridThinner, maxKept } from '../read-grid.js';
import type { ReadGrid } from '../read-grid.js';
import type { ChunkArena } from './chunk-arena.js';

/** Samples per chunk before it is sealed (as Prometheus: ~120 at a 10-30 s scrape interval). */
export const SAMPLES_PER_CHUNK = 120;

export interface SealedChunk {
  readonly minTMs: number;
  readonly maxTMs: number;
  readonly count: number;
  readonly bytes: Uint8Array;
}

/** Per sealed chunk in {@link MemSeries}: minTMs, maxTMs, count × 2^16 + byte length, arena ref. */
const STRIDE = 4;
const LEN_SPAN = 0x10000;

/** A sealed chunk's sample count and byte length in one number; a chunk of 64 KiB or more (only a damaged checkpoint holds one) is refused, not packed wrong. */
function packCountLen(count: number, len: number): number {
  if (len >= LEN_SPAN) throw new Error(`sealed chunk of ${len} bytes: more than a chunk can hold (${LEN_SPAN - 1})`);
  return count * LEN_SPAN + len;
}
/** One iterator for every head read: reads are synchronous and do not nest. */
const SHARED = new XorIterator();
/** Where {@link MemSeries.pushInOrder} has {@link SHARED} decode a batch. */
const BATCH_T = new Float64Array(128);
const BATCH_V = new Float64Array(128);

export class MemSeries {
  /** Sealed chunks, {@link STRIDE} numbers each (one unboxed double array, no object per chunk). */
  private readonly _sealed: number[] = [];
  open: XorEncoder | undefined;
  ooo: SampleBuffer | undefined;
  /** Newest in-order sample (−∞ before the first). */
  lastTMs = -Infinity;
  lastValue = NaN;
  /** Counted against the series limits: has raw samples. */
  active = false;
  /** Out-of-order writes so far: readers caching rolled-up samples of this series check it. */
  oooEpoch = 0;

  constructor(
    readonly id: number,
    readonly labels: Labels,
    readonly key: string,
    private readonly _arena: ChunkArena,
  ) {}

  /** Number of sealed chunks. */
  get chunkCount(): number {
    return this._sealed.length / STRIDE;
  }

  /** Sealed chunk `i` (its bytes are a view into the head's arena). */
  chunk(i: number): SealedChunk {
    const o = i * STRIDE;
    const packed = this._sealed[o + 2] ?? 0;
    const len = packed % LEN_SPAN;
    return { minTMs: this._sealed[o] ?? 0, maxTMs: this._sealed[o + 1] ?? 0, count: (packed - len) / LEN_SPAN, bytes: this._arena.view(this._sealed[o + 3] ?? 0, len) };
  }

  /** All sealed chunks, oldest first. */
  get chunks(): SealedChunk[] {
    const out: SealedChunk[] = [];
    for (let i = 0; i < this.chunkCount; i++) out.push(this.chunk(i));
    return out;
  }

  /** Adds a sealed chunk (restored from a checkpoint) after the existing ones; its bytes are copied. */
  addSealed(c: SealedChunk): void {
    this._pushSealed(c.minTMs, c.maxTMs, c.count, c.bytes.length, this._arena.putBytes(c.bytes));
  }

  /** Adds a sealed chunk already in the head's arena at `ref` (see `ChunkArena.refIn`) after the existing ones. */
  addSealedRef(minTMs: number, maxTMs: number, count: number, len: number, ref: number): void {
    this._pushSealed(minTMs, maxTMs, count, len, ref);
  }

  private _pushSealed(minTMs: number, maxTMs: number, count: number, len: number, ref: number): void {
    this._sealed.push(minTMs, maxTMs, packCountLen(count, len), ref);
  }

  private _minT(i: number): number {
    return this._sealed[i * STRIDE] ?? 0;
  }

  private _maxT(i: number): number {
    return this._sealed[i * STRIDE + 1] ?? 0;
  }

  private _count(i: number): number {
    const packed = this._sealed[i * STRIDE + 2] ?? 0;
    return (packed - (packed % LEN_SPAN)) / LEN_SPAN;
  }

  /** Drops the oldest `n` sealed chunks, releasing their bytes. */
  private _shift(n: number): void {
    for (let i = 0; i < n; i++) this._arena.release(this._sealed[i * STRIDE + 3] ?? 0);
    this._sealed.splice(0, n * STRIDE);
  }

  get sampleCount(): number {
    let n = (this.open?.count ?? 0) + (this.ooo?.length ?? 0);
    for (let i = 0; i < this.chunkCount; i++) n += this._count(i);
    return n;
  }

  get minTMs(): number {
    const first = this.chunkCount > 0 ? this._minT(0) : (this.open?.minTMs ?? Infinity);
    return this.ooo && this.ooo.length > 0 ? Math.min(first, this.ooo.timeAt(0)) : first;
  }

  /** No raw samples left. */
  get rawEmpty(): boolean {
    return this.chunkCount === 0 && (this.open?.count ?? 0) === 0 && (this.ooo?.length ?? 0) === 0;
  }

  /** Nothing left (rollups live in blocks, not in the head). */
  get isEmpty(): boolean {
    return this.rawEmpty;
  }

  /** Appends a sample newer than {@link lastTMs}. */
  appendInOrder(tMs: number, value: number): void {
    if (!this.open || this.open.count >= SAMPLES_PER_CHUNK) this._cut();
    this.open?.append(tMs, value);
    this.lastTMs = tMs;
    this.lastValue = value;
  }

  /** Stores an older sample; false when its time is already present in the buffer. */
  appendOutOfOrder(tMs: number, value: number): boolean {
    this.oooEpoch++;
    this.ooo ??= new SampleBuffer(4);
    return this.ooo.insert(tMs, value);
  }

  private _cut(): void {
    const open = this.open;
    if (open && open.count > 0) {
      const ref = this._arena.put(open.byteLength, (slab, off) => open.writeTo(slab, off));
      this._pushSealed(open.minTMs, open.maxTMs, open.count, open.byteLength, ref);
    }
    this.open = new XorEncoder();
  }

  /** The stored value at exactly `tMs`, or undefined (decodes at most one chunk, up to `tMs`). */
  valueAt(tMs: number): number | undefined {
    const fromOoo = this.ooo?.get(tMs);
    if (fromOoo !== undefined) return fromOoo;
    const it = this._iterator(this._firstChunkEndingFrom(tMs), tMs, tMs);
    while (it?.next()) {
      if (it.tMs === tMs) return it.value;
      if (it.tMs > tMs) break;
    }
    return undefined;
  }

  /**
   * Samples in [minMs, maxMs], oldest first, as columns decoded straight into arrays sized by the
   * chunks' sample counts (no object per sample). Only the chunks overlapping the window are
   * decoded (sealed chunks are found by their time bounds), each up to `maxMs`; the open chunk is
   * read in place up to the bit length and count it had when the read started.
   */
  samples(minMs: number, maxMs: number, grid?: ReadGrid): SampleColumns {
    const hasOoo = this.hasOutOfOrder;
    // with a grid, only the samples its steps read (read-grid.ts); out-of-order samples: all
    const thin = grid && !hasOoo;
    const most = this.inOrderCountIn(minMs, maxMs);
    const out = new ColumnsBuilder(thin ? Math.min(most, maxKept(grid)) : most);
    const sink = new GridThinner(thin ? grid : undefined, out);
    this.pushInOrder(minMs, maxMs, sink);
    const read = sink.finish();
    return this.ooo && hasOoo ? mergeOoo(read, this.ooo, minMs, maxMs) : read;
  }

  /** Holds out-of-order samples (which {@link pushInOrder} leaves out). */
  get hasOutOfOrder(): boolean {
    return this.ooo !== undefined && this.ooo.length > 0;
  }

  /** The most in-order samples [minMs, maxMs] can hold (the counts of the chunks overlapping it). */
  inOrderCountIn(minMs: number, maxMs: number): number {
    return this._countFrom(this._firstChunkEndingFrom(minMs), maxMs);
  }

  /** Pushes the in-order samples in [minMs, maxMs] (sealed and open chunks, not the out-of-order buffer) to `sink`, oldest first. */
  pushInOrder(minMs: number, maxMs: number, sink: GridThinner): void {
    const n = this.chunkCount;
    for (let i = this._firstChunkEndingFrom(minMs); i <= n; i++) {
      const it = this._iterator(i, minMs, maxMs);
      if (!it) break;
      const t = BATCH_T;
      const v = BATCH_V;
      for (let got = it.readBatch(t, v); got > 0; got = it.readBatch(t, v)) {
        for (let k = 0; k < got; k++) {
          const tMs = t[k]!;
          if (tMs > maxMs) return;
          if (tMs >= minMs) sink.push(tMs, v[k]!);
        }
      }
    }
  }

  /** Samples in the chunks from `first` (the open one included) that start by `maxMs`: a read's most. */
  private _countFrom(first: number, maxMs: number): number {
    let count = 0;
    for (let i = first; i < this.chunkCount && this._minT(i) <= maxMs; i++) count += this._count(i);
    const open = this.open;
    if (open && open.count > 0 && open.minTMs <= maxMs) count += open.count;
    return count;
  }

  /** Index of the first sealed chunk whose samples reach `minMs` (chunkCount: the open one). */
  private _firstChunkEndingFrom(minMs: number): number {
    let lo = 0;
    let hi = this.chunkCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this._maxT(mid) < minMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The shared iterator reset on chunk `i` (sealed below chunkCount, the open one at chunkCount),
   * or undefined when there is no such chunk or it does not overlap [minMs, maxMs]. Callers
   * finish with it before anything else can decode (reads are synchronous).
   */
  private _iterator(i: number, minMs: number, maxMs: number): XorIterator | undefined {
    const n = this.chunkCount;
    if (i < n) {
      if (this._minT(i) > maxMs || this._maxT(i) < minMs) return undefined;
      const o = i * STRIDE;
      const packed = this._sealed[o + 2] ?? 0;
      const ref = this._sealed[o + 3] ?? 0;
      SHARED.resetChunk(this._arena.slabOf(ref), this._arena.offsetOf(ref), packed % LEN_SPAN);
      return SHARED;
    }
    const open = this.open;
    if (i > n || !open || open.count === 0 || open.minTMs > maxMs || open.maxTMs < minMs) return undefined;
    SHARED.resetStream(open.streamBuffer, 0, open.streamBitLength, open.count);
    return SHARED;
  }

  /** True when a sample lies in [minMs, maxMs], without decoding when the bounds tell. */
  hasSamplesIn(minMs: number, maxMs: number): boolean {
    for (const c of this._chunksOverlapping(minMs, maxMs)) if (c.minTMs >= minMs && c.maxTMs <= maxMs) return true;
    if (this.ooo) {
      const i = this.ooo.lowerBound(minMs);
      if (i < this.ooo.length && this.ooo.timeAt(i) <= maxMs) return true;
    }
    return this.samples(minMs, maxMs).tMs.length > 0;
  }

  /** Time bounds of the chunks (sealed and open) overlapping [minMs, maxMs]. */
  private _chunksOverlapping(minMs: number, maxMs: number): { minTMs: number; maxTMs: number }[] {
    const out: { minTMs: number; maxTMs: number }[] = [];
    for (let i = 0; i < this.chunkCount; i++) if (this._maxT(i) >= minMs && this._minT(i) <= maxMs) out.push({ minTMs: this._minT(i), maxTMs: this._maxT(i) });
    const open = this.open;
    if (open && open.count > 0 && open.maxTMs >= minMs && open.minTMs <= maxMs) out.push({ minTMs: open.minTMs, maxTMs: open.maxTMs });
    return out;
  }

  /**
   * Removes the samples before `endMs` (a block cut) and returns them as chunks, out-of-order
   * samples merged in; a chunk straddling `endMs` is split.
   */
  takeBefore(endMs: number): SealedChunk[] {
    if (this.ooo !== undefined && this.ooo.length > 0 && this.ooo.timeAt(0) < endMs) return this._takeBeforeMerging(endMs);
    const out: SealedChunk[] = [];
    let n = 0;
    while (n < this.chunkCount && this._maxT(n) < endMs) out.push(this.chunk(n++));
    this._shift(n);
    // at most one chunk straddles `endMs` (chunks are disjoint and ordered): only it is decoded
    if (this.chunkCount > 0 && this._minT(0) < endMs) {
      const [before, after] = splitAt(xorChunkSamples(this.chunk(0).bytes), endMs);
      out.push(...encodeChunks(before));
      const [rest] = encodeChunks(after);
      this._shift(1);
      if (rest) this._sealed.unshift(rest.minTMs, rest.maxTMs, packCountLen(rest.count, rest.bytes.length), this._arena.putBytes(rest.bytes));
    } else if (this.open && this.open.count > 0 && this.open.minTMs < endMs) {
      const [before, after] = splitAt(xorChunkSamples(this.open.bytes()), endMs);
      out.push(...encodeChunks(before));
      this.open = undefined;
      if (after.length > 0) {
        const enc = new XorEncoder();
        for (const p of after) enc.append(p.tMs, p.value);
        this.open = enc;
      }
    }
    return out;
  }

  /** {@link takeBefore} with out-of-order samples before `endMs`: everything is decoded and merged. */
  private _takeBeforeMerging(endMs: number): SealedChunk[] {
    const before = samplesOf(this.samples(-Infinity, endMs - 1));
    const after = this.samples(endMs, Infinity);
    const lastT = this.lastTMs;
    const lastV = this.lastValue;
    this._shift(this.chunkCount);
    this.open = undefined;
    this.ooo = undefined;
    for (let i = 0; i < after.tMs.length; i++) this.appendInOrder(after.tMs[i]!, after.values[i]!);
    this.lastTMs = lastT;
    this.lastValue = lastV;
    return encodeChunks(before);
  }

  /** Drops sealed chunks ending before `minMs` and older out-of-order samples; returns samples dropped. */
  dropBefore(minMs: number): number {
    let dropped = 0;
    let n = 0;
    while (n < this.chunkCount && this._maxT(n) < minMs) dropped += this._count(n++);
    this._shift(n);
    if (this.open && this.open.count > 0 && this.open.maxTMs < minMs) {
      dropped += this.open.count;
      this.open = undefined;
    }
    dropped += this.ooo?.dropBefore(minMs) ?? 0;
    return dropped;
  }
}

/** Samples before `endMs`, and the rest. */
function splitAt(samples: Sample[], endMs: number): [Sample[], Sample[]] {
  let i = 0;
  while (i < samples.length && (samples[i]?.tMs ?? 0) < endMs) i++;
  return [samples.slice(0, i), samples.slice(i)];
}

/** Samples (time-ordered) as sealed chunks of {@link SAMPLES_PER_CHUNK}. */
export function encodeChunks(samples: readonly Sample[]): SealedChunk[] {
  const out: SealedChunk[] = [];
  let enc: XorEncoder | undefined;
  const seal = (): void => {
    if (enc && enc.count > 0) out.push({ minTMs: enc.minTMs, maxTMs: enc.maxTMs, count: enc.count, bytes: enc.bytes() });
  };
  for (const p of samples) {
    if (!enc || enc.count >= SAMPLES_PER_CHUNK) {
      seal();
      enc = new XorEncoder();
    }
    enc.append(p.tMs, p.value);
  }
  seal();
  return out;
}

function mergeOoo(inOrder: SampleColumns, ooo: SampleBuffer, minMs: number, maxMs: number): SampleColumns {
  let j = ooo.lowerBound(minMs);
  let jEnd = j;
  while (jEnd < ooo.length && ooo.timeAt(jEnd) <= maxMs) jEnd++;
  const out = new ColumnsBuilder(inOrder.tMs.length + jEnd - j);
  const n = inOrder.tMs.length;
  let i = 0;
  while (i < n || j < jEnd) {
    const aT = i < n ? inOrder.tMs[i]! : Infinity;
    const bT = j < jEnd ? ooo.timeAt(j) : Infinity;
    if (i < n && aT <= bT) {
      out.push(aT, inOrder.values[i]!);
      i++;
      if (aT === bT) j++;
    } else {
      out.push(bT, ooo.valueAt(j));
      j++;
    }
  }
  return out.finish();
}

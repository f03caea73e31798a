/**
 * One series' points in one rollup tier: sealed bundles (one XOR chunk per field, bucket-start
 * timestamps, so regular buckets cost ~1 bit of time each, all in one byte array), a short
 * Float64Array buffer of closed points, and the accumulator's open bucket. Reads serve one field.
 */
import type { Sample } from '@fathom/model';
import { decodeXorChunk, XorEncoder } from '../chunk/xor-chunk.js';
import { fieldValue, ROLLED_FIELDS, RollupAccumulator } from './accumulator.js';
import type { RolledPoint } from './accumulator.js';
import type { RollupField } from './tiers.js';

/** Closed points buffered before they are compressed into a bundle. */
export const POINTS_PER_ROLLUP_CHUNK = 32;
/** Numbers per buffered point: tMs then the fields. */
const STRIDE = 1 + ROLLED_FIELDS.length;

export interface RollupChunk {
  readonly minTMs: number;
  readonly maxTMs: number;
  readonly count: number;
  /** {@link encodeBundle} of the points. */
  readonly bytes: Uint8Array;
}

/**
 * `nFields:u8 { length:u32be }ⁿ chunkⁿ`: one XOR chunk per field in {@link ROLLED_FIELDS} order,
 * each with the bucket starts as timestamps.
 */
export function encodeBundle(points: Float64Array, count: number): Uint8Array {
  const chunks = ROLLED_FIELDS.map((_, f) => {
    const enc = new XorEncoder();
    for (let i = 0; i < count; i++) enc.append(points[i * STRIDE] ?? 0, points[i * STRIDE + 1 + f] ?? 0);
    return enc.bytes();
  });
  const head = 1 + 4 * chunks.length;
  const out = new Uint8Array(head + chunks.reduce((n, c) => n + c.length, 0));
  const view = new DataView(out.buffer);
  out[0] = chunks.length;
  let off = head;
  chunks.forEach((c, i) => {
    view.setUint32(1 + 4 * i, c.length);
    out.set(c, off);
    off += c.length;
  });
  return out;
}

/** The XOR chunk of field `f` inside a bundle. */
export function bundleField(bytes: Uint8Array, f: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes[0] ?? 0;
  let off = 1 + 4 * n;
  for (let i = 0; i < f; i++) off += view.getUint32(1 + 4 * i);
  return bytes.subarray(off, off + view.getUint32(1 + 4 * f));
}

/** Decodes a whole bundle into buffered-point layout. */
export function decodeBundle(bytes: Uint8Array): { points: Float64Array; count: number } {
  let count = 0;
  decodeXorChunk(bundleField(bytes, 0), () => count++);
  const points = new Float64Array(Math.max(count, 1) * STRIDE);
  ROLLED_FIELDS.forEach((_, f) => {
    let i = 0;
    decodeXorChunk(bundleField(bytes, f), (t, v) => {
      points[i * STRIDE] = t;
      points[i * STRIDE + 1 + f] = v;
      i++;
    });
  });
  return { points, count };
}

export class TierSeries {
  readonly acc: RollupAccumulator;
  readonly chunks: RollupChunk[] = [];
  private _buf: Float64Array = new Float64Array(0);
  private _n = 0;

  constructor(readonly resolutionMs: number) {
    this.acc = new RollupAccumulator(resolutionMs);
  }

  get bufferedCount(): number {
    return this._n;
  }

  add(tMs: number, value: number): void {
    const closed = this.acc.add(tMs, value);
    if (closed) this._push(closed);
  }

  private _push(p: RolledPoint): void {
    if ((this._n + 1) * STRIDE > this._buf.length) {
      const next = new Float64Array(Math.min(POINTS_PER_ROLLUP_CHUNK, Math.max(2, this._n * 2)) * STRIDE);
      next.set(this._buf.subarray(0, this._n * STRIDE));
      this._buf = next;
    }
    const o = this._n * STRIDE;
    this._buf[o] = p.tMs;
    ROLLED_FIELDS.forEach((f, i) => (this._buf[o + 1 + i] = p[f]));
    this._n++;
    if (this._n >= POINTS_PER_ROLLUP_CHUNK) this._seal();
  }

  private _seal(): void {
    if (this._n === 0) return;
    this.chunks.push({ minTMs: this._buf[0] ?? 0, maxTMs: this._buf[(this._n - 1) * STRIDE] ?? 0, count: this._n, bytes: encodeBundle(this._buf, this._n) });
    this._buf = new Float64Array(0);
    this._n = 0;
  }

  /** The buffered points as a bundle (checkpoints), or undefined when none. */
  bufferedBundle(): Uint8Array | undefined {
    return this._n > 0 ? encodeBundle(this._buf, this._n) : undefined;
  }

  restoreBuffered(bytes: Uint8Array): void {
    const { points, count } = decodeBundle(bytes);
    this._buf = points;
    this._n = count;
  }

  get isEmpty(): boolean {
    return this.chunks.length === 0 && this._n === 0 && this.acc.open === undefined;
  }

  /** One field's values at bucket starts in [minMs, maxMs], oldest first. */
  read(field: RollupField, minMs: number, maxMs: number): Sample[] {
    const out: Sample[] = [];
    const keep = (tMs: number, value: number): void => {
      if (tMs >= minMs && tMs <= maxMs) out.push({ tMs, value });
    };
    for (const c of this.chunks) {
      if (c.maxTMs < minMs || c.minTMs > maxMs) continue;
      if (field === 'avg') readAvg(c.bytes, keep);
      else decodeXorChunk(bundleField(c.bytes, ROLLED_FIELDS.indexOf(field)), keep);
    }
    for (let i = 0; i < this._n; i++) keep(this._buf[i * STRIDE] ?? 0, this._bufValue(i, field));
    const open = this.acc.open;
    if (open) keep(open.tMs, fieldValue(open, field));
    return out;
  }

  private _bufValue(i: number, field: RollupField): number {
    const o = i * STRIDE + 1;
    if (field === 'avg') return (this._buf[o + ROLLED_FIELDS.indexOf('sum')] ?? NaN) / (this._buf[o + ROLLED_FIELDS.indexOf('count')] ?? NaN);
    return this._buf[o + ROLLED_FIELDS.indexOf(field)] ?? NaN;
  }

  /** Drops bundles and buffered points older than `minMs`. */
  dropBefore(minMs: number): void {
    while (this.chunks.length > 0 && (this.chunks[0]?.maxTMs ?? Infinity) < minMs) this.chunks.shift();
    let cut = 0;
    while (cut < this._n && (this._buf[cut * STRIDE] ?? Infinity) < minMs) cut++;
    if (cut > 0) {
      this._buf.copyWithin(0, cut * STRIDE, this._n * STRIDE);
      this._n -= cut;
    }
    const open = this.acc.open;
    if (open && open.tMs + this.resolutionMs <= minMs) this.acc.restore({ ...this.acc.state(), open: undefined });
  }
}

function readAvg(bytes: Uint8Array, keep: (tMs: number, value: number) => void): void {
  const sums: number[] = [];
  decodeXorChunk(bundleField(bytes, ROLLED_FIELDS.indexOf('sum')), (_t, v) => sums.push(v));
  let i = 0;
  decodeXorChunk(bundleField(bytes, ROLLED_FIELDS.indexOf('count')), (tMs, count) => keep(tMs, (sums[i++] ?? NaN) / count));
}

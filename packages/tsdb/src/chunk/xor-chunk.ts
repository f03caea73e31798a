/**
 * The XOR chunk (after Gorilla and Prometheus' chunkenc): delta-of-delta timestamps and XOR'ed
 * float values in one bit stream. Spec: docs/formats/tsdb-chunk.md (version 1).
 *
 * Layout: `u16be sampleCount`, then the bit stream. Sample 0: time as 64 bits (two's complement),
 * value as its 64 raw bits. Later samples: the timestamp's delta-of-delta in a prefix-coded bucket
 * (`0` → 0; `10` + 14 bits; `110` + 17 bits; `1110` + 20 bits; `1111` + 64 bits, all signed), then
 * the value XOR'ed with the previous one: `0` for equal bits; `10` + the meaningful bits when they
 * fit the previous leading/trailing-zero window; `11` + 5 bits leading zeros + 6 bits meaningful
 * length (0 means 64) + the meaningful bits otherwise.
 */
import type { Sample } from '@fathom/model';
import { BitReader, BitWriter, clz64, ctz64, shl64, shr64 } from './bits.js';
import { floatToHiLo, hiLoToFloat } from './float-bits.js';

export const XOR_CHUNK_HEADER_BYTES = 2;
/** A chunk holds at most this many samples (the u16 count). */
export const XOR_CHUNK_MAX_SAMPLES = 0xffff;

const TWO_32 = 2 ** 32;
const BUCKETS: readonly [prefix: number, prefixBits: number, valueBits: number][] = [
  [0b10, 2, 14],
  [0b110, 3, 17],
  [0b1110, 4, 20],
];

/** Encodes samples appended in strictly increasing time order. */
export class XorEncoder {
  private _w = new BitWriter(64);
  private _count = 0;
  private _prevT = 0;
  private _prevDelta = 0;
  private _prevHi = 0;
  private _prevLo = 0;
  private _leading = 0xff;
  private _trailing = 0;
  minTMs = 0;
  maxTMs = 0;

  get count(): number {
    return this._count;
  }

  append(tMs: number, value: number): void {
    if (this._count >= XOR_CHUNK_MAX_SAMPLES) throw new Error('XOR chunk is full');
    if (this._count > 0 && tMs <= this._prevT) throw new Error(`XOR chunk needs increasing times: ${tMs} after ${this._prevT}`);
    const [hi, lo] = floatToHiLo(value);
    if (this._count === 0) {
      this._w.writeBits64(Math.floor(tMs / TWO_32) >>> 0, tMs >>> 0, 64);
      this._w.writeBits64(hi, lo, 64);
      this.minTMs = tMs;
    } else {
      const delta = tMs - this._prevT;
      this._writeDod(delta - this._prevDelta);
      this._prevDelta = delta;
      this._writeXor(hi, lo);
    }
    this._prevT = tMs;
    this.maxTMs = tMs;
    this._prevHi = hi;
    this._prevLo = lo;
    this._count++;
  }

  private _writeDod(dod: number): void {
    const w = this._w;
    if (dod === 0) return w.writeBit(0);
    for (const [prefix, prefixBits, valueBits] of BUCKETS) {
      const half = 2 ** (valueBits - 1);
      if (dod >= -half && dod < half) {
        w.writeBits(prefix, prefixBits);
        w.writeBits(dod < 0 ? dod + 2 * half : dod, valueBits);
        return;
      }
    }
    w.writeBits(0b1111, 4);
    w.writeBits64(Math.floor(dod / TWO_32) >>> 0, dod >>> 0, 64);
  }

  private _writeXor(hi: number, lo: number): void {
    const w = this._w;
    const xh = (hi ^ this._prevHi) >>> 0;
    const xl = (lo ^ this._prevLo) >>> 0;
    if (xh === 0 && xl === 0) return w.writeBit(0);
    w.writeBit(1);
    const leading = Math.min(clz64(xh, xl), 31);
    const trailing = ctz64(xh, xl);
    if (this._leading !== 0xff && leading >= this._leading && trailing >= this._trailing) {
      w.writeBit(0);
      const [mh, ml] = shr64(xh, xl, this._trailing);
      w.writeBits64(mh, ml, 64 - this._leading - this._trailing);
      return;
    }
    this._leading = leading;
    this._trailing = trailing;
    const sig = 64 - leading - trailing;
    w.writeBit(1);
    w.writeBits(leading, 5);
    w.writeBits(sig & 63, 6);
    const [mh, ml] = shr64(xh, xl, trailing);
    w.writeBits64(mh, ml, sig);
  }

  /** Size of {@link bytes} without making them. */
  get byteLength(): number {
    return XOR_CHUNK_HEADER_BYTES + this._w.byteLength;
  }

  /** Writes {@link bytes} into `dst` at `offset` ({@link byteLength} bytes). */
  writeTo(dst: Uint8Array, offset: number): void {
    dst[offset] = this._count >>> 8;
    dst[offset + 1] = this._count & 0xff;
    this._w.copyTo(dst, offset + XOR_CHUNK_HEADER_BYTES);
  }

  /**
   * An encoder that continues the chunk `bytes` (as {@link bytes} made it): the stream is read
   * once to recover the encoder's state and copied, not decoded and encoded again.
   * Throws {@link ChunkDecodeError} for an unreadable chunk.
   */
  static resume(bytes: Uint8Array): XorEncoder {
    const enc = new XorEncoder();
    const count = xorChunkCount(bytes);
    if (count === 0) return enc;
    const stream = bytes.subarray(XOR_CHUNK_HEADER_BYTES);
    const r = new BitReader(stream);
    try {
      const [th, tl] = r.readBits64(64);
      let t = (th | 0) * TWO_32 + tl;
      let [vh, vl] = r.readBits64(64);
      enc.minTMs = t;
      let delta = 0;
      for (let i = 1; i < count; i++) {
        delta += readDod(r);
        t += delta;
        if (r.readBit() === 1) {
          if (r.readBit() === 1) {
            enc._leading = r.readBits(5);
            enc._trailing = 64 - enc._leading - (r.readBits(6) || 64);
          } else if (enc._leading === 0xff) throw new Error('a value reuses a bit window before any was set');
          const [mh, ml] = r.readBits64(64 - enc._leading - enc._trailing);
          const [xh, xl] = shl64(mh, ml, enc._trailing);
          vh = (vh ^ xh) >>> 0;
          vl = (vl ^ xl) >>> 0;
        }
      }
      enc._prevT = t;
      enc.maxTMs = t;
      enc._prevDelta = delta;
      enc._prevHi = vh;
      enc._prevLo = vl;
    } catch (err) {
      throw new ChunkDecodeError(`chunk of ${count} samples is unreadable: ${(err as Error).message}`);
    }
    enc._count = count;
    enc._w = BitWriter.resume(stream, r.position);
    return enc;
  }

  /** The chunk's bytes so far (header + stream). A copy; the encoder can keep appending. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    this.writeTo(out, 0);
    return out;
  }
}

/** Thrown for a chunk that cannot be decoded (truncated, or a corrupt header). */
export class ChunkDecodeError extends Error {
  override readonly name = 'ChunkDecodeError';
}

/** Sample count stored in a chunk's header. */
export function xorChunkCount(bytes: Uint8Array): number {
  if (bytes.length < XOR_CHUNK_HEADER_BYTES) throw new ChunkDecodeError(`chunk of ${bytes.length} bytes has no header`);
  return ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
}

/**
 * Decodes a chunk, calling `each` per sample in time order. Throws {@link ChunkDecodeError} when
 * the stream ends early; corruption inside the stream is caught by the block/WAL checksums.
 */
export function decodeXorChunk(bytes: Uint8Array, each: (tMs: number, value: number) => void): void {
  const count = xorChunkCount(bytes);
  if (count === 0) return;
  const r = new BitReader(bytes.subarray(XOR_CHUNK_HEADER_BYTES));
  try {
    decodeStream(r, count, each);
  } catch (err) {
    throw new ChunkDecodeError(`chunk of ${count} samples is unreadable: ${(err as Error).message}`);
  }
}

function decodeStream(r: BitReader, count: number, each: (tMs: number, value: number) => void): void {
  const [th, tl] = r.readBits64(64);
  let t = (th | 0) * TWO_32 + tl;
  let [vh, vl] = r.readBits64(64);
  each(t, hiLoToFloat(vh, vl));
  let delta = 0;
  let leading = 0;
  let trailing = 0;
  for (let i = 1; i < count; i++) {
    delta += readDod(r);
    t += delta;
    if (r.readBit() === 1) {
      if (r.readBit() === 1) {
        leading = r.readBits(5);
        const sig = r.readBits(6) || 64;
        trailing = 64 - leading - sig;
      }
      const [mh, ml] = r.readBits64(64 - leading - trailing);
      const [xh, xl] = shl64(mh, ml, trailing);
      vh = (vh ^ xh) >>> 0;
      vl = (vl ^ xl) >>> 0;
    }
    each(t, hiLoToFloat(vh, vl));
  }
}

function readDod(r: BitReader): number {
  let ones = 0;
  while (ones < 4 && r.readBit() === 1) ones++;
  if (ones === 0) return 0;
  if (ones === 4) {
    const [hi, lo] = r.readBits64(64);
    return (hi | 0) * TWO_32 + lo;
  }
  const bits = BUCKETS[ones - 1]?.[2] ?? 14;
  const raw = r.readBits(bits);
  return raw >= 2 ** (bits - 1) ? raw - 2 ** bits : raw;
}

/** All samples of a chunk as an array (tests and small reads). */
export function xorChunkSamples(bytes: Uint8Array): Sample[] {
  const out: Sample[] = [];
  decodeXorChunk(bytes, (tMs, value) => out.push({ tMs, value }));
  return out;
}

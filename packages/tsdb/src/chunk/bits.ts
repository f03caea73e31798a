/**
 * Bit-level writer and reader over bytes, most significant bit first. Values wider than 32 bits
 * are passed as two unsigned 32-bit halves (hi, lo): JavaScript bit operators work on 32 bits, and
 * BigInt would cost an allocation per sample.
 */

export class BitWriter {
  private _buf: Uint8Array;
  private _bitLen = 0;

  constructor(initialBytes = 64) {
    this._buf = new Uint8Array(initialBytes);
  }

  get bitLength(): number {
    return this._bitLen;
  }

  /** Writes the low `n` bits of `value` (0 ≤ n ≤ 32), a byte's worth at a time. */
  writeBits(value: number, n: number): void {
    if (n === 0) return;
    this._ensure(n);
    let remaining = n;
    while (remaining > 0) {
      const free = 8 - (this._bitLen & 7);
      const take = free < remaining ? free : remaining;
      const bits = (value >>> (remaining - take)) & ((1 << take) - 1);
      const byte = this._bitLen >>> 3;
      this._buf[byte] = (this._buf[byte] ?? 0) | (bits << (free - take));
      this._bitLen += take;
      remaining -= take;
    }
  }

  writeBit(bit: number): void {
    this._ensure(1);
    this._pushBit(bit & 1);
  }

  /** Writes the low `n` bits (0 ≤ n ≤ 64) of the 64-bit value hi:lo. */
  writeBits64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.writeBits(hi, n - 32);
      this.writeBits(lo, 32);
    } else {
      this.writeBits(lo, n);
    }
  }

  /** Bytes the stream takes (the last one zero-padded). */
  get byteLength(): number {
    return (this._bitLen + 7) >>> 3;
  }

  /** Copies the stream into `dst` at `offset`. */
  copyTo(dst: Uint8Array, offset: number): void {
    dst.set(this._buf.subarray(0, this.byteLength), offset);
  }

  /** Continues a stream of `bitLength` bits held in `bytes` (copied). */
  static resume(bytes: Uint8Array, bitLength: number): BitWriter {
    const w = new BitWriter(Math.max(16, bytes.length + 16));
    const n = (bitLength + 7) >>> 3;
    w._buf.set(bytes.subarray(0, n));
    if (bitLength & 7) w._buf[n - 1] = (w._buf[n - 1] ?? 0) & (0xff << (8 - (bitLength & 7)));
    w._bitLen = bitLength;
    return w;
  }

  /** The bytes written so far (the last byte zero-padded). A copy. */
  bytes(): Uint8Array {
    return this._buf.slice(0, (this._bitLen + 7) >>> 3);
  }

  private _pushBit(bit: number): void {
    if (bit) {
      const byte = this._bitLen >>> 3;
      this._buf[byte] = (this._buf[byte] ?? 0) | (0x80 >>> (this._bitLen & 7));
    }
    this._bitLen++;
  }

  private _ensure(bits: number): void {
    const needBytes = (this._bitLen + bits + 7) >>> 3;
    if (needBytes <= this._buf.length) return;
    const next = new Uint8Array(Math.max(needBytes, this._buf.length * 2));
    next.set(this._buf);
    this._buf = next;
  }
}

/** Thrown when a reader runs past the end of its bytes: the chunk is truncated or corrupt. */
export class BitStreamEndError extends Error {
  override readonly name = 'BitStreamEndError';
}

export class BitReader {
  private _pos = 0;

  /** Bits read so far. */
  get position(): number {
    return this._pos;
  }

  constructor(
    private readonly _buf: Uint8Array,
    private readonly _bitLimit = _buf.length * 8,
  ) {}

  readBit(): number {
    if (this._pos >= this._bitLimit) throw new BitStreamEndError(`read past the end of a ${this._buf.length}-byte chunk`);
    const bit = ((this._buf[this._pos >>> 3] ?? 0) >>> (7 - (this._pos & 7))) & 1;
    this._pos++;
    return bit;
  }

  /** Reads `n` bits (0 ≤ n ≤ 32) as an unsigned number, a byte's worth at a time. */
  readBits(n: number): number {
    if (this._pos + n > this._bitLimit) throw new BitStreamEndError(`read past the end of a ${this._buf.length}-byte chunk`);
    let v = 0;
    let remaining = n;
    while (remaining > 0) {
      const avail = 8 - (this._pos & 7);
      const take = avail < remaining ? avail : remaining;
      const bits = ((this._buf[this._pos >>> 3] ?? 0) >>> (avail - take)) & ((1 << take) - 1);
      v = v * (1 << take) + bits;
      this._pos += take;
      remaining -= take;
    }
    return v;
  }

  /** Reads `n` bits (0 ≤ n ≤ 64) into [hi, lo] unsigned halves. */
  readBits64(n: number): [number, number] {
    if (n > 32) {
      const hi = this.readBits(n - 32);
      return [hi, this.readBits(32)];
    }
    return [0, this.readBits(n)];
  }
}

/** Leading zero bits of the 64-bit value hi:lo. */
export function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

/** Trailing zero bits of the 64-bit value hi:lo (64 for zero). */
export function ctz64(hi: number, lo: number): number {
  if (lo !== 0) return ctz32(lo);
  if (hi !== 0) return 32 + ctz32(hi);
  return 64;
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** hi:lo shifted right by k (0 ≤ k < 64), as unsigned halves. */
export function shr64(hi: number, lo: number, k: number): [number, number] {
  if (k === 0) return [hi >>> 0, lo >>> 0];
  if (k >= 32) return [0, hi >>> (k - 32)];
  return [hi >>> k, ((lo >>> k) | (hi << (32 - k))) >>> 0];
}

/** hi:lo shifted left by k (0 ≤ k < 64), as unsigned halves. */
export function shl64(hi: number, lo: number, k: number): [number, number] {
  if (k === 0) return [hi >>> 0, lo >>> 0];
  if (k >= 32) return [(lo << (k - 32)) >>> 0, 0];
  return [((hi << k) | (lo >>> (32 - k))) >>> 0, (lo << k) >>> 0];
}

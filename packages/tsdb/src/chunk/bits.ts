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

  /**
   * The writer's current buffer, not a copy: bits below {@link bitLength} are never changed by
   * later writes (they only add bits after it, or move to a new buffer when growing), so a reader
   * that snapshots the buffer and the bit length reads a consistent prefix.
   */
  get buffer(): Uint8Array {
    return this._buf;
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

/**
 * The 32 bits of `buf` from bit `pos`, most significant first (bytes past the buffer read as 0).
 * One read of 4-5 bytes instead of a call per bit: a decoder cuts a sample's control bits and its
 * short fields from one word, and checks its position against the limit once a sample.
 */
export function peek32At(buf: Uint8Array, pos: number): number {
  const i = pos >>> 3;
  const sh = pos & 7;
  let w: number;
  if (i + 4 < buf.length) {
    w = (buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!;
    if (sh !== 0) w = (w << sh) | (buf[i + 4]! >>> (8 - sh));
  } else {
    w = ((buf[i] ?? 0) << 24) | ((buf[i + 1] ?? 0) << 16) | ((buf[i + 2] ?? 0) << 8) | (buf[i + 3] ?? 0);
    if (sh !== 0) w = (w << sh) | ((buf[i + 4] ?? 0) >>> (8 - sh));
  }
  return w >>> 0;
}

/** Thrown when a reader runs past the end of its bytes: the chunk is truncated or corrupt. */
export class BitStreamEndError extends Error {
  override readonly name = 'BitStreamEndError';
}

const EMPTY = new Uint8Array(0);

/**
 * Reads a bit stream in place (no copy). A reader can start at a byte offset of a larger buffer
 * (a chunk inside an arena slab) and stops at `bitLimit`, so it can read a prefix of a stream
 * that is still being appended to: bits past the limit are never looked at. Nothing is allocated
 * per read: 64-bit values come back through {@link hi} and {@link lo}.
 */
export class BitReader {
  private _buf: Uint8Array = EMPTY;
  private _pos = 0;
  private _limit = 0;
  /** High and low unsigned 32-bit halves of the last {@link readBits64}. */
  hi = 0;
  lo = 0;

  /** Reads `buf` from bit 0 to `bitLimit` (the whole buffer by default). */
  constructor(buf: Uint8Array = EMPTY, bitLimit = buf.length * 8) {
    this.reset(buf, 0, bitLimit);
  }

  /** Reads `buf` from byte `byteOffset` up to bit `bitLimit` (counted from `byteOffset`; clamped to the buffer). */
  reset(buf: Uint8Array, byteOffset: number, bitLimit: number): void {
    this._buf = buf;
    this._pos = byteOffset * 8;
    this._limit = Math.min(this._pos + bitLimit, buf.length * 8);
  }

  /** The next bit to read, as a bit index into the buffer. */
  get position(): number {
    return this._pos;
  }

  /** The buffer read (for decoders that keep the position in a local: {@link peek32At}, {@link seek}). */
  get buffer(): Uint8Array {
    return this._buf;
  }

  /** The bit index reads must not pass. */
  get limit(): number {
    return this._limit;
  }

  /** Moves the read position to bit `pos` (≤ the limit: where a decoder using {@link peek32At} got to). */
  seek(pos: number): void {
    this._pos = pos;
  }

  readBit(): number {
    const pos = this._pos;
    if (pos >= this._limit) throw this._end();
    this._pos = pos + 1;
    return ((this._buf[pos >>> 3] ?? 0) >>> (7 - (pos & 7))) & 1;
  }

  /** Reads `n` bits (0 ≤ n ≤ 32) as an unsigned number. */
  readBits(n: number): number {
    const pos = this._pos;
    if (pos + n > this._limit) throw this._end();
    if (n === 0) return 0;
    const buf = this._buf;
    let byte = pos >>> 3;
    const avail = 8 - (pos & 7);
    this._pos = pos + n;
    const first = (buf[byte] ?? 0) & (0xff >>> (pos & 7));
    if (n <= avail) return first >>> (avail - n);
    let v = first;
    let need = n - avail;
    while (need >= 8) {
      v = v * 256 + (buf[++byte] ?? 0);
      need -= 8;
    }
    if (need > 0) v = v * (1 << need) + ((buf[++byte] ?? 0) >>> (8 - need));
    return v;
  }

  /** Reads `n` bits (0 ≤ n ≤ 64) into {@link hi} and {@link lo} (unsigned halves). */
  readBits64(n: number): void {
    if (n > 32) {
      this.hi = this.readBits(n - 32);
      this.lo = this.readBits(32);
    } else {
      this.hi = 0;
      this.lo = this.readBits(n);
    }
  }

  private _end(): BitStreamEndError {
    return new BitStreamEndError(`read past the end of a ${this._buf.length}-byte chunk`);
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

/** Byte-level writer/reader for WAL, checkpoint and block records: uvarints, f64s, strings. */
import { floatToHiLo, hiLoToFloat } from '../chunk/float-bits.js';

const TWO_32 = 2 ** 32;

export class ByteWriter {
  private _buf = Buffer.allocUnsafe(256);
  private _len = 0;

  get length(): number {
    return this._len;
  }

  uvarint(n: number): this {
    this._ensure(10);
    let v = n;
    while (v >= 0x80) {
      this._buf[this._len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this._buf[this._len++] = v;
    return this;
  }

  /** An integer time (|t| < 2^53) as 8 bytes, big-endian two's complement. */
  int64(t: number): this {
    this._ensure(8);
    this._buf.writeInt32BE(Math.floor(t / TWO_32) | 0, this._len);
    this._buf.writeUInt32BE(t >>> 0, this._len + 4);
    this._len += 8;
    return this;
  }

  /** A float's raw 64 bits (NaN payloads kept). */
  float64(v: number): this {
    const [hi, lo] = floatToHiLo(v);
    this._ensure(8);
    this._buf.writeUInt32BE(hi, this._len);
    this._buf.writeUInt32BE(lo, this._len + 4);
    this._len += 8;
    return this;
  }

  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    return this.bytes(bytes);
  }

  /** Length-prefixed bytes. */
  bytes(b: Uint8Array): this {
    this.uvarint(b.length);
    this._ensure(b.length);
    this._buf.set(b, this._len);
    this._len += b.length;
    return this;
  }

  finish(): Buffer {
    return this._buf.subarray(0, this._len);
  }

  private _ensure(n: number): void {
    if (this._len + n <= this._buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this._len + n, this._buf.length * 2));
    this._buf.copy(next, 0, 0, this._len);
    this._buf = next;
  }
}

/** Thrown when a record's payload does not decode: treated like a checksum failure. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export class ByteReader {
  private _pos = 0;

  constructor(private readonly _buf: Buffer) {}

  get done(): boolean {
    return this._pos >= this._buf.length;
  }

  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this._byte();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
    throw new DecodeError('uvarint too long');
  }

  int64(): number {
    this._need(8);
    const hi = this._buf.readInt32BE(this._pos);
    const lo = this._buf.readUInt32BE(this._pos + 4);
    this._pos += 8;
    return hi * TWO_32 + lo;
  }

  float64(): number {
    this._need(8);
    const hi = this._buf.readUInt32BE(this._pos);
    const lo = this._buf.readUInt32BE(this._pos + 4);
    this._pos += 8;
    return hiLoToFloat(hi, lo);
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  bytes(): Buffer {
    const n = this.uvarint();
    this._need(n);
    const out = this._buf.subarray(this._pos, this._pos + n);
    this._pos += n;
    return out;
  }

  private _byte(): number {
    this._need(1);
    return this._buf[this._pos++] ?? 0;
  }

  private _need(n: number): void {
    if (this._pos + n > this._buf.length) throw new DecodeError(`record ends early (needs ${n} more bytes at ${this._pos} of ${this._buf.length})`);
  }
}

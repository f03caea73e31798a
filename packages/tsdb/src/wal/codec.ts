/** Byte-level writer/reader for WAL, checkpoint and block records: uvarints, f64s, strings. */
import { floatToHiLo, hiLoToFloat } from '../chunk/float-bits.js';

const TWO_32 = 2 ** 32;

/**
 * An append-only byte buffer. A writer kept and {@link reset} between uses (the engine keeps one
 * for WAL records, checkpoints and block files) grows once to its working size and then allocates
 * nothing: a fresh writer per record grew by doubling (~13 Buffers for a 2 MiB WAL record) and left
 * them all as garbage for a major GC. Views it hands out are valid until the next write or reset.
 */
export class ByteWriter {
  private _buf: Buffer;
  private _len = 0;

  /**
   * @param _initialBytes capacity to start with (and to return to when a reset finds more than
   *   `_retainMaxBytes`: one outsized batch does not pin its buffer for the process's life).
   */
  constructor(
    private readonly _initialBytes = 256,
    private readonly _retainMaxBytes = 8 * 1024 * 1024,
  ) {
    this._buf = Buffer.allocUnsafe(_initialBytes);
  }

  get length(): number {
    return this._len;
  }

  /** Bytes allocated (what the writer holds on to between uses). */
  get capacity(): number {
    return this._buf.length;
  }

  /**
   * Gives back a buffer grown beyond `keepBytes` (a new one of the initial capacity) if nothing is
   * written in it; true if it did. For an owner that keeps the writer between bursts of use.
   */
  shrink(keepBytes = this._initialBytes): boolean {
    if (this._len > 0 || this._buf.length <= keepBytes) return false;
    this._buf = Buffer.allocUnsafe(this._initialBytes);
    return true;
  }

  /** Empties the writer, keeping its buffer (unless it grew past the retain bound). */
  reset(): this {
    this._len = 0;
    if (this._buf.length > this._retainMaxBytes) this._buf = Buffer.allocUnsafe(this._initialBytes);
    return this;
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

  u8(n: number): this {
    this._ensure(1);
    this._buf[this._len++] = n;
    return this;
  }

  u32be(n: number): this {
    this._ensure(4);
    this._buf.writeUInt32BE(n >>> 0, this._len);
    this._len += 4;
    return this;
  }

  /** Overwrites 4 bytes written earlier (a length or checksum known only after what follows). */
  setU32be(at: number, n: number): this {
    if (at < 0 || at + 4 > this._len) throw new RangeError(`setU32be at ${at} outside the ${this._len} bytes written`);
    this._buf.writeUInt32BE(n >>> 0, at);
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

  /** Length-prefixed UTF-8, encoded in place (no Buffer per string). */
  string(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n);
    this._ensure(n);
    this._len += this._buf.write(s, this._len, n, 'utf8');
    return this;
  }

  /** Length-prefixed bytes. */
  bytes(b: Uint8Array): this {
    return this.uvarint(b.length).raw(b);
  }

  /** Bytes as they are, no length. */
  raw(b: Uint8Array): this {
    this._ensure(b.length);
    this._buf.set(b, this._len);
    this._len += b.length;
    return this;
  }

  /** The bytes in [from, to) (default: all written); shares the writer's memory. */
  view(from = 0, to = this._len): Buffer {
    return this._buf.subarray(from, to);
  }

  /** Everything written; shares the writer's memory (valid until the next write or reset). */
  finish(): Buffer {
    return this.view();
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
    // one byte (< 128) is the common case (symbol refs, counts, deltas): no loop, one bounds check
    const pos = this._pos;
    if (pos < this._buf.length) {
      const b = this._buf[pos]!;
      if (b < 0x80) {
        this._pos = pos + 1;
        return b;
      }
    }
    return this._uvarintLong();
  }

  private _uvarintLong(): number {
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
    const n = this.uvarint();
    this._need(n);
    const start = this._pos;
    this._pos += n;
    return this._buf.toString('utf8', start, start + n); // no Buffer view per string
  }

  /** Read position within the buffer. */
  get pos(): number {
    return this._pos;
  }

  /** Skips a length-prefixed byte string; returns its length (it ends at {@link pos}). No view made. */
  skipBytes(): number {
    const n = this.uvarint();
    this._need(n);
    this._pos += n;
    return n;
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

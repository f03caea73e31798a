/**
 * Pure codec of a block's `index` file and of the records of its `chunks` file
 * (docs/formats/tsdb-block.md): a symbol table, series (label pairs as symbol refs, chunk refs,
 * and for rollup blocks the counter state at the series' end), and postings (label pair → series
 * ordinals). Decoding builds compact typed arrays; labels are materialised only when asked for.
 */
import { crc32 } from 'node:zlib';
import type { Labels } from '@fathom/model';
import { LabelIndex } from '../index/label-index.js';
import { ByteReader, ByteWriter, DecodeError } from '../wal/codec.js';

/** Index format version 2 (chunk times and refs as deltas); version 1 is still read. */
export const INDEX_MAGIC = Buffer.from('FTHMBIX2', 'ascii');
export const INDEX_MAGIC_V1 = Buffer.from('FTHMBIX1', 'ascii');
export const CHUNKS_MAGIC = Buffer.from('FTHMBCH1', 'ascii');

export interface BlockChunk {
  readonly minTMs: number;
  readonly maxTMs: number;
  readonly count: number;
  readonly bytes: Uint8Array;
}

/** Counter state of a series after its last rolled-up sample (rollup blocks only). */
export interface CounterState {
  readonly counter: number;
  readonly prev: number;
}

export interface BlockSeriesIn {
  readonly labels: Labels;
  readonly chunks: readonly BlockChunk[];
  readonly end?: CounterState;
}

/** `len:uvarint bytes crc32(bytes):u32be` */
export function encodeChunkRecord(bytes: Uint8Array): Buffer {
  return Buffer.from(writeChunkRecord(new ByteWriter(), bytes).finish());
}

/** {@link encodeChunkRecord} appended to `w`. */
export function writeChunkRecord(w: ByteWriter, bytes: Uint8Array): ByteWriter {
  return w.bytes(bytes).u32be(crc32(bytes));
}

/** The chunk bytes of a record read at its ref; throws when the checksum fails. */
export function decodeChunkRecord(buf: Buffer): Uint8Array {
  const r = new ByteReader(buf);
  const bytes = r.bytes();
  const stored = buf.readUInt32BE(buf.length - 4);
  if (bytes.length + 4 > buf.length || crc32(bytes) !== stored) throw new DecodeError('chunk checksum mismatch');
  return bytes;
}

/** Record length of a chunk of `n` bytes (to know how much to read). */
export function chunkRecordBytes(n: number): number {
  let v = n;
  let len = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    len++;
  }
  return len + n + 4;
}

export interface IndexInput {
  readonly series: readonly { readonly labels: Labels; readonly refs: readonly { minTMs: number; maxTMs: number; count: number; ref: number; len: number }[]; readonly end?: CounterState }[];
  readonly withState: boolean;
}

/** Series must come sorted by label set (see {@link compareLabels}). */
export function encodeIndex(input: IndexInput): Buffer {
  return Buffer.from(writeIndex(new ByteWriter(), input).finish());
}

/**
 * {@link encodeIndex} appended to `w`; `between` is called between series and postings entries,
 * where the caller may flush `w` to a file (the index is then never whole in memory).
 */
export function writeIndex(w: ByteWriter, input: IndexInput, between: () => void = () => undefined): ByteWriter {
  const symbolSet = new Set<string>();
  for (const s of input.series) for (const n in s.labels) symbolSet.add(n).add(s.labels[n] ?? '');
  const symbols = [...symbolSet].sort();
  const sym = new Map(symbols.map((s, i) => [s, i]));
  w.raw(INDEX_MAGIC).uvarint(symbols.length);
  for (const s of symbols) {
    w.string(s);
    between();
  }
  w.uvarint(input.series.length);
  const postings = new Map<number, Map<number, number[]>>();
  let recordEnd = 0;
  input.series.forEach((s, ord) => {
    const names = Object.keys(s.labels);
    w.uvarint(names.length);
    for (const n of names) {
      const nRef = sym.get(n) ?? 0;
      const vRef = sym.get(s.labels[n] ?? '') ?? 0;
      w.uvarint(nRef).uvarint(vRef);
      let values = postings.get(nRef);
      if (!values) postings.set(nRef, (values = new Map<number, number[]>()));
      let ids = values.get(vRef);
      if (!ids) values.set(vRef, (ids = []));
      ids.push(ord);
    }
    w.uvarint(s.refs.length);
    // v2: minT from the previous chunk's maxT (0 for a series' first), ref from the previous record's end
    let prevMaxT = 0;
    for (const c of s.refs) {
      w.uvarint(zigzag(c.minTMs - prevMaxT)).uvarint(c.maxTMs - c.minTMs).uvarint(c.count).uvarint(zigzag(c.ref - recordEnd)).uvarint(c.len);
      prevMaxT = c.maxTMs;
      recordEnd = c.ref + c.len;
    }
    if (input.withState) w.float64(s.end?.counter ?? NaN).float64(s.end?.prev ?? NaN);
    between();
  });
  const entries = [...postings].sort((a, b) => a[0] - b[0]).flatMap(([n, values]) => [...values].sort((a, b) => a[0] - b[0]).map(([v, ids]) => [n, v, ids] as const));
  w.uvarint(entries.length);
  for (const [n, v, ids] of entries) {
    w.uvarint(n).uvarint(v).uvarint(ids.length);
    let prev = 0;
    for (const id of ids) {
      w.uvarint(id - prev);
      prev = id;
    }
    between();
  }
  return w;
}

/** A decoded index: typed arrays per series, postings as a {@link LabelIndex} over ordinals. */
export class DecodedIndex {
  constructor(
    readonly symbols: readonly string[],
    /** Series `i` has label refs `labelRefs[labelStart[i] .. labelStart[i+1])`, name and value alternating. */
    readonly labelStart: Uint32Array,
    readonly labelRefs: Uint32Array,
    /** Series `i` has chunks `chunkStart[i] .. chunkStart[i+1]`. */
    readonly chunkStart: Uint32Array,
    readonly chunkMinT: Float64Array,
    readonly chunkMaxT: Float64Array,
    readonly chunkCount: Uint32Array,
    readonly chunkRef: Float64Array,
    readonly chunkLen: Uint32Array,
    readonly endCounter: Float64Array | undefined,
    readonly endPrev: Float64Array | undefined,
    readonly postings: LabelIndex,
  ) {}

  get seriesCount(): number {
    return this.labelStart.length - 1;
  }

  labels(ord: number): Labels {
    const out: Record<string, string> = {};
    for (let i = this.labelStart[ord] ?? 0; i < (this.labelStart[ord + 1] ?? 0); i += 2) out[this.symbols[this.labelRefs[i] ?? 0] ?? ''] = this.symbols[this.labelRefs[i + 1] ?? 0] ?? '';
    return Object.freeze(out);
  }
}

/** True when `buf` starts as an index of a known version (the rest is checked by {@link decodeIndex}). */
export function hasIndexMagic(buf: Buffer): boolean {
  const magic = buf.subarray(0, INDEX_MAGIC.length);
  return magic.equals(INDEX_MAGIC) || magic.equals(INDEX_MAGIC_V1);
}

export function decodeIndex(buf: Buffer, withState: boolean, maxChunkRef: number): DecodedIndex {
  const magic = buf.subarray(0, INDEX_MAGIC.length);
  const v1 = magic.equals(INDEX_MAGIC_V1);
  if (!v1 && !magic.equals(INDEX_MAGIC)) throw new DecodeError('bad index header');
  const r = new ByteReader(buf.subarray(INDEX_MAGIC.length));
  const nSym = r.uvarint();
  const symbols: string[] = new Array<string>(nSym);
  for (let i = 0; i < nSym; i++) symbols[i] = r.string();
  const nSeries = r.uvarint();
  const labelStart = new Uint32Array(nSeries + 1);
  const chunkStart = new Uint32Array(nSeries + 1);
  // typed columns grown by doubling (not number[] copied into typed arrays at the end)
  // first guesses, bounded by what the buffer can hold (a ref ≥ 1 byte, a chunk entry ≥ 5)
  const refs = new Grow(u32, Math.min(nSeries * 40, buf.length));
  const chunkGuess = Math.min(nSeries * 4, Math.floor(buf.length / 5));
  const minTs = new Grow(f64, chunkGuess);
  const maxTs = new Grow(f64, chunkGuess);
  const counts = new Grow(u32, chunkGuess);
  const chunkRefs = new Grow(f64, chunkGuess);
  const lens = new Grow(u32, chunkGuess);
  const endCounter = withState ? new Float64Array(nSeries) : undefined;
  const endPrev = withState ? new Float64Array(nSeries) : undefined;
  let recordEnd = 0;
  for (let i = 0; i < nSeries; i++) {
    const nLabels = r.uvarint();
    for (let k = 0; k < 2 * nLabels; k++) refs.push(symRef(r, nSym));
    labelStart[i + 1] = refs.length;
    const nChunks = r.uvarint();
    let prevMaxT = 0;
    for (let k = 0; k < nChunks; k++) {
      const minT = v1 ? r.int64() : prevMaxT + unzigzag(r.uvarint());
      const maxT = minT + r.uvarint();
      const count = r.uvarint();
      const ref = v1 ? r.uvarint() : recordEnd + unzigzag(r.uvarint());
      const len = r.uvarint();
      prevMaxT = maxT;
      recordEnd = ref + len;
      if (ref < 0) throw new DecodeError(`chunk ref ${ref} before the chunks file`);
      if (ref + len > maxChunkRef) throw new DecodeError(`chunk ref ${ref}+${len} beyond the chunks file (${maxChunkRef} bytes)`);
      minTs.push(minT);
      maxTs.push(maxT);
      counts.push(count);
      chunkRefs.push(ref);
      lens.push(len);
    }
    chunkStart[i + 1] = minTs.length;
    if (endCounter && endPrev) {
      endCounter[i] = r.float64();
      endPrev[i] = r.float64();
    }
  }
  const postings = decodePostings(r, symbols, nSeries);
  if (!r.done) throw new DecodeError('trailing bytes after the postings');
  const all = new Array<number>(nSeries);
  for (let i = 0; i < nSeries; i++) all[i] = i;
  return new DecodedIndex(symbols, labelStart, refs.finish(), chunkStart, minTs.finish(), maxTs.finish(), counts.finish(), chunkRefs.finish(), lens.finish(), endCounter, endPrev, LabelIndex.fromPostings(postings, all));
}

/** Signed → unsigned for varints (0, −1, 1, −2… → 0, 1, 2, 3…), exact up to ±2^52. */
function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

function symRef(r: ByteReader, nSym: number): number {
  const v = r.uvarint();
  if (v >= nSym) throw new DecodeError(`symbol ref ${v} out of range`);
  return v;
}

function decodePostings(r: ByteReader, symbols: readonly string[], nSeries: number): Map<string, Map<string, number[]>> {
  const postings = new Map<string, Map<string, number[]>>();
  const nEntries = r.uvarint();
  let lastName: string | undefined;
  let values: Map<string, number[]> | undefined;
  for (let e = 0; e < nEntries; e++) {
    const name = symbols[symRef(r, symbols.length)]!;
    const value = symbols[symRef(r, symbols.length)]!;
    const n = r.uvarint();
    if (n > nSeries) throw new DecodeError(`postings of ${n} series in a block of ${nSeries}`);
    const ids = new Array<number>(n);
    let prev = 0;
    for (let k = 0; k < n; k++) {
      prev += r.uvarint();
      if (prev >= nSeries) throw new DecodeError(`posting ${prev} out of range`);
      ids[k] = prev;
    }
    // entries come sorted by name: one map lookup per name, not per entry
    if (name !== lastName || !values) {
      values = postings.get(name);
      if (!values) postings.set(name, (values = new Map<string, number[]>()));
      lastName = name;
    }
    values.set(value, ids);
  }
  return postings;
}

/** A typed array filled by push, grown by doubling; `finish` returns a copy of the filled part. */
class Grow<T extends Uint32Array | Float64Array> {
  private _a: T;
  length = 0;
  constructor(
    private readonly _make: (n: number) => T,
    capacity: number,
  ) {
    this._a = _make(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this._a.length) {
      const next = this._make(this._a.length * 2);
      next.set(this._a);
      this._a = next;
    }
    this._a[this.length++] = v;
  }
  finish(): T {
    return this._a.slice(0, this.length) as T;
  }
}

const u32 = (n: number): Uint32Array => new Uint32Array(n);
const f64 = (n: number): Float64Array => new Float64Array(n);

/** Total order of label sets (by sorted name/value pairs), the order of series in an index. */
export function compareLabels(a: Labels, b: Labels): number {
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  for (let i = 0; i < Math.min(an.length, bn.length); i++) {
    const x = an[i] ?? '';
    const y = bn[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
    const xv = a[x] ?? '';
    const yv = b[y] ?? '';
    if (xv !== yv) return xv < yv ? -1 : 1;
  }
  return an.length - bn.length;
}

/**
 * Checkpoints: a snapshot of the whole head (series, their compressed chunks, out-of-order
 * samples) in one file `checkpoint.NNNNNNNN`, covering every WAL segment below NNNNNNNN. Restart
 * loads the newest checkpoint and replays only the segments after it, so restart time is bounded
 * by the checkpoint interval, not by history. Written to a temp file, fsynced, then renamed.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readdirSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { fsyncDirSync } from '@fathom/kit';
import { join } from 'node:path';
import { labelStrings } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { XorEncoder, xorChunkCount, xorChunkFirstTime } from '../chunk/xor-chunk.js';
import { SLAB_SPAN } from '../head/chunk-arena.js';
import type { ChunkArena } from '../head/chunk-arena.js';
import type { Head } from '../head/head.js';
import type { MemSeries } from '../head/mem-series.js';
import { seriesKey } from '../head/series-key.js';
import type { RolledPoint } from '../rollup/accumulator.js';
import { TierSeries } from '../rollup/tier-series.js';
import { ByteReader, ByteWriter } from './codec.js';
import { beginRecord, endRecord, readRecord, RECORD_HEADER_BYTES, RecordType } from './records.js';
import type { ReadResult } from './records.js';
import { readLabels } from './wal-records.js';

/** Version 1: labels as strings in every snapshot (still read). */
export const CHECKPOINT_MAGIC_V1 = Buffer.from('FTHMCKP1', 'ascii');
/** Version 2 (written): a symbol table, snapshots refer to it; compact chunk times. */
export const CHECKPOINT_MAGIC = Buffer.from('FTHMCKP2', 'ascii');
const MAGIC_PREFIX = 'FTHMCKP';
const NAME = /^checkpoint\.(\d{8})$/;

export function checkpointName(seq: number): string {
  return `checkpoint.${String(seq).padStart(8, '0')}`;
}

/** Sequence numbers of the checkpoints in `dir`, newest first. */
export function listCheckpoints(dir: string): number[] {
  return readdirSync(dir)
    .map((f) => NAME.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => b - a);
}

/** A checkpoint is written in pieces of about this size: its image is never whole in memory. */
const FLUSH_BYTES = 1 << 20;

/**
 * Writes the head as checkpoint `seq` (atomically) and deletes older checkpoints. Records are
 * framed in place in `scratch` (reset before and after) and flushed every {@link FLUSH_BYTES}.
 */
export function writeCheckpoint(dir: string, seq: number, head: Head, scratch = new ByteWriter(64 * 1024)): void {
  const tmp = join(dir, `${checkpointName(seq)}.tmp`);
  const fd = openSync(tmp, 'w');
  const w = scratch.reset();
  try {
    w.raw(CHECKPOINT_MAGIC);
    let at = beginRecord(w, RecordType.CheckpointMeta);
    endRecord(w.int64(head.minValidMs), at);
    const all = head.allSeries();
    const symbols = symbolTable(all);
    at = beginRecord(w, RecordType.CheckpointSymbols);
    w.uvarint(symbols.list.length);
    for (const sym of symbols.list) w.string(sym);
    endRecord(w, at);
    for (const s of all) {
      at = beginRecord(w, RecordType.SeriesSnapshotV2);
      endRecord(writeSnapshot(w, s, symbols.refs), at);
      if (w.length >= FLUSH_BYTES) flush(fd, w);
    }
    at = beginRecord(w, RecordType.CheckpointEnd);
    endRecord(w.uvarint(all.length), at);
    flush(fd, w);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    w.reset();
  }
  closeSync(fd);
  renameSync(tmp, join(dir, checkpointName(seq)));
  fsyncDirSync(dir);
  for (const old of listCheckpoints(dir)) if (old < seq) rmSync(join(dir, checkpointName(old)), { force: true });
}

/** Writes what `w` holds and empties it. */
function flush(fd: number, w: ByteWriter): void {
  const buf = w.view();
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  w.reset();
}

/** Every label name and value of the head, once; refs by string. */
function symbolTable(series: readonly MemSeries[]): { list: string[]; refs: Map<string, number> } {
  const refs = new Map<string, number>();
  const list: string[] = [];
  const add = (x: string): void => {
    if (refs.has(x)) return;
    refs.set(x, list.length);
    list.push(x);
  };
  for (const s of series) {
    for (const name in s.labels) {
      add(name);
      add(s.labels[name] ?? '');
    }
  }
  return { list, refs };
}

/** A v2 snapshot appended to `w`: labels as symbol refs; chunk times as deltas (chunks are ordered, disjoint). */
function writeSnapshot(w: ByteWriter, s: MemSeries, sym: ReadonlyMap<string, number>): ByteWriter {
  w.uvarint(s.id);
  const names = Object.keys(s.labels);
  w.uvarint(names.length);
  for (const n of names) w.uvarint(sym.get(n) ?? 0).uvarint(sym.get(s.labels[n] ?? '') ?? 0);
  const hasLast = Number.isFinite(s.lastTMs);
  w.uvarint(hasLast ? 1 : 0).int64(hasLast ? s.lastTMs : 0).float64(s.lastValue);
  const n = s.chunkCount;
  w.uvarint(n);
  let prevMax = 0;
  for (let i = 0; i < n; i++) {
    const c = s.chunk(i);
    if (i === 0) w.int64(c.minTMs);
    else w.uvarint(c.minTMs - prevMax);
    w.uvarint(c.maxTMs - c.minTMs).uvarint(c.count).bytes(c.bytes);
    prevMax = c.maxTMs;
  }
  w.bytes(s.open && s.open.count > 0 ? s.open.bytes() : new Uint8Array(0));
  const ooo = s.ooo;
  w.uvarint(ooo?.length ?? 0);
  for (let i = 0; i < (ooo?.length ?? 0); i++) w.int64(ooo?.timeAt(i) ?? 0).float64(ooo?.valueAt(i) ?? 0);
  return w;
}

/**
 * Labels of a v2 snapshot, strings shared through the (interned) symbol table, and their series
 * key. Snapshots are written in the labels' order, which `labelsOf` sorts, so the key is joined as they are read
 * (no sort: `labelsKey` was a twentieth of a restart); names out of order or repeated (a file not
 * written by us) leave it to `seriesKey`.
 */
export function readSymbolLabels(r: ByteReader, symbols: readonly string[]): { labels: Labels; key: string | undefined } {
  const n = r.uvarint();
  const out: Record<string, string> = {};
  const parts: string[] = [];
  let sorted = true;
  let prev: string | undefined;
  for (let i = 0; i < n; i++) {
    const name = symbols[r.uvarint()];
    const value = symbols[r.uvarint()];
    if (name === undefined || value === undefined) throw new Error(`label symbol ref out of range (table of ${symbols.length})`);
    // `__proto__` would set the object's prototype, not a label: labelsKey would not see it
    if ((prev !== undefined && !(prev < name)) || name === '__proto__') sorted = false;
    prev = name;
    out[name] = value;
    parts.push(name, '\xff', value, '\xfe');
  }
  return { labels: labelStrings.adopt(out), key: sorted ? parts.join('') : undefined };
}

function decodeSnapshotV2(payload: Buffer, symbols: readonly string[], head: Head, refs: ChunkRefs): MemSeries {
  const r = new ByteReader(payload);
  const id = r.uvarint();
  const { labels, key } = readSymbolLabels(r, symbols);
  const s = head.newSeries(id, labels, key ?? seriesKey(labels));
  const hasLast = r.uvarint() === 1;
  const lastT = r.int64();
  const lastV = r.float64();
  const n = r.uvarint();
  let prevMax = 0;
  for (let i = 0; i < n; i++) {
    const minTMs = i === 0 ? r.int64() : prevMax + r.uvarint();
    const maxTMs = minTMs + r.uvarint();
    const count = r.uvarint();
    const len = r.skipBytes();
    s.addSealedRef(minTMs, maxTMs, count, len, refs(r.pos - len, len));
    prevMax = maxTMs;
  }
  readOpenAndLast(r, s, hasLast ? lastT : -Infinity, lastV, refs);
  if (!r.done) throw new Error('trailing bytes in a series snapshot');
  return s;
}

/**
 * The part both snapshot versions share: the open chunk, out-of-order samples, the last sample.
 * The open chunk comes back sealed as it is (its last sample is the series' last in-order one),
 * and the next append starts a new chunk: resuming it meant decoding every open chunk at start-up
 * (~60 samples a series, a quarter of loading a checkpoint). The cost is one short chunk per
 * series and restart.
 */
/** `refs`: where the open chunk's bytes stay (a v2 snapshot's piece); without, they are copied into the arena (v1). */
function readOpenAndLast(r: ByteReader, s: MemSeries, lastTMs: number, lastValue: number, refs?: ChunkRefs): void {
  const open = r.bytes();
  const count = open.length > 0 ? xorChunkCount(open) : 0;
  const firstTMs = count > 0 ? xorChunkFirstTime(open) : NaN;
  if (count > 0 && lastTMs >= firstTMs && refs) s.addSealedRef(firstTMs, lastTMs, count, open.length, refs(r.pos - open.length, open.length));
  else if (count > 0 && lastTMs >= firstTMs) s.addSealed({ minTMs: firstTMs, maxTMs: lastTMs, count, bytes: open });
  else if (count > 0) s.open = XorEncoder.resume(open); // no usable last time (not written so): read it from the chunk
  const oooCount = r.uvarint();
  for (let i = 0; i < oooCount; i++) s.appendOutOfOrder(r.int64(), r.float64());
  s.lastTMs = lastTMs;
  s.lastValue = lastValue;
}

function decodeSymbols(payload: Buffer): string[] {
  const r = new ByteReader(payload);
  const n = r.uvarint();
  const out: string[] = [];
  // the process's shared copies (`labelStrings`): the head keeps each restored set as decoded
  for (let i = 0; i < n; i++) out.push(labelStrings.intern(r.string()));
  return out;
}

function decodePoint(r: ByteReader): RolledPoint {
  return { tMs: r.int64(), min: r.float64(), max: r.float64(), sum: r.float64(), count: r.float64(), last: r.float64(), counter: r.float64() };
}

/** Reads one tier's state (checkpoints written before blocks held rollups in the head). */
function decodeTier(r: ByteReader): TierSeries {
  const resolutionMs = r.uvarint();
  const counter = r.float64();
  const prev = r.float64();
  const open = r.uvarint() === 1 ? decodePoint(r) : undefined;
  const t = new TierSeries(resolutionMs);
  t.acc.restore({ open, counter, prev });
  const nChunks = r.uvarint();
  for (let i = 0; i < nChunks; i++) t.chunks.push({ minTMs: r.int64(), maxTMs: r.int64(), count: r.uvarint(), bytes: new Uint8Array(r.bytes()) });
  const buffered = r.bytes();
  if (buffered.length > 0) t.restoreBuffered(new Uint8Array(buffered));
  return t;
}

/** Rollup points found in a checkpoint of the time the head kept tiers: moved into blocks at open. */
export interface LegacyTiers {
  readonly labels: Labels;
  readonly tiers: readonly TierSeries[];
}

/** A v1 snapshot (labels as strings, rollup tiers of the time the head kept them). */
function decodeSnapshot(payload: Buffer, legacy: LegacyTiers[], head: Head): MemSeries {
  const r = new ByteReader(payload);
  const id = r.uvarint();
  const labels = readLabels(r);
  const s = head.newSeries(id, labels);
  const hasLast = r.uvarint() === 1;
  const lastT = r.int64();
  const lastV = r.float64();
  const n = r.uvarint();
  for (let i = 0; i < n; i++) s.addSealed({ minTMs: r.int64(), maxTMs: r.int64(), count: r.uvarint(), bytes: r.bytes() });
  readOpenAndLast(r, s, hasLast ? lastT : -Infinity, lastV);
  const nTiers = r.uvarint();
  const tiers: TierSeries[] = [];
  for (let i = 0; i < nTiers; i++) tiers.push(decodeTier(r));
  if (tiers.some((t) => !t.isEmpty)) legacy.push({ labels, tiers });
  return s;
}

export interface CheckpointLoad {
  readonly seq: number;
  readonly series: number;
  readonly problems: readonly string[];
  readonly legacyTiers: readonly LegacyTiers[];
}

/**
 * Loads the newest checkpoint into `head`. A damaged checkpoint keeps the series read before the
 * damage and reports it; an older checkpoint is not consulted (its WAL segments are gone).
 */
export function loadCheckpoint(dir: string, head: Head, pieceBytes = SLAB_SPAN): CheckpointLoad | undefined {
  const seq = listCheckpoints(dir)[0];
  if (seq === undefined) return undefined;
  const name = checkpointName(seq);
  const file = new PieceReader(join(dir, name), Math.min(pieceBytes, SLAB_SPAN));
  try {
    return loadRecords(file, name, seq, head);
  } finally {
    file.close();
  }
}

function loadRecords(file: PieceReader, name: string, seq: number, head: Head): CheckpointLoad {
  const legacyTiers: LegacyTiers[] = [];
  const magic = file.header(CHECKPOINT_MAGIC.length);
  const v1 = magic.equals(CHECKPOINT_MAGIC_V1);
  if (!v1 && !magic.equals(CHECKPOINT_MAGIC)) {
    const text = magic.toString('latin1');
    const why = text.startsWith(MAGIC_PREFIX) ? `checkpoint format version ${JSON.stringify(text.slice(MAGIC_PREFIX.length))} is not supported by this build (it reads 1 and 2)` : 'bad header (not a Fathom checkpoint)';
    return { seq, series: 0, legacyTiers, problems: [`${name}: ${why}; its series are lost`] };
  }
  let series = 0;
  let symbols: string[] | undefined;
  while (!file.done) {
    const off = file.offset;
    const r = file.next();
    if ('problem' in r) return { seq, series, legacyTiers, problems: [`${name} at offset ${off}: ${r.problem}; the series after it are lost`] };
    try {
      if (v1 && r.type === RecordType.SeriesSnapshot) head.adopt(decodeSnapshot(r.payload, legacyTiers, head));
      else if (!v1 && r.type === RecordType.CheckpointSymbols) symbols = decodeSymbols(r.payload);
      else if (!v1 && r.type === RecordType.SeriesSnapshotV2) {
        if (!symbols) throw new Error('series snapshot before the symbol table');
        head.adopt(decodeSnapshotV2(r.payload, symbols, head, file.chunkRefs(head.arena, r.payload)));
      } else if (r.type === RecordType.CheckpointMeta) head.minValidMs = new ByteReader(r.payload).int64();
      else if (r.type === RecordType.CheckpointEnd) return { seq, series, legacyTiers, problems: [] };
    } catch (err) {
      return { seq, series, legacyTiers, problems: [`${name} at offset ${off}: undecodable record (${(err as Error).message}); the series after it are lost`] };
    }
    if (r.type === RecordType.SeriesSnapshot || r.type === RecordType.SeriesSnapshotV2) series++;
  }
  return { seq, series, legacyTiers, problems: [`${name}: ends without its end record (truncated); the series after offset ${file.offset} are lost`] };
}

/** Where a snapshot's chunk bytes go: refs in the arena for `len` bytes at `pos` of its payload. */
type ChunkRefs = (pos: number, len: number) => number;

/**
 * Reads a checkpoint's records in pieces of whole records, each piece its own buffer of at most
 * a slab's span: the head's arena adopts a piece as a slab and its snapshots' chunks stay where
 * they were read (copying ~170,000 chunks one by one into the arena was a quarter of loading a
 * 16,000-series checkpoint). A record longer than a piece is read alone and its chunks copied.
 */
class PieceReader {
  private readonly _fd: number;
  private readonly _size: number;
  /** The current piece, the file offset of its first byte, and the read position in it. */
  private _piece = Buffer.alloc(0);
  private _base = 0;
  private _pos = 0;
  /** The arena slab the current piece became, if a chunk was taken from it. */
  private _slab: number | undefined;
  private _arena: ChunkArena | undefined;

  constructor(
    path: string,
    private readonly _pieceBytes: number,
  ) {
    this._fd = openSync(path, 'r');
    this._size = fstatSync(this._fd).size;
  }

  get offset(): number {
    return this._base + this._pos;
  }

  get done(): boolean {
    return this.offset >= this._size;
  }

  /** The first `n` bytes (or fewer, for a shorter file); records start after them. */
  header(n: number): Buffer {
    this._fill(Math.min(n, this._size));
    const out = this._piece.subarray(0, Math.min(n, this._piece.length));
    this._pos = out.length;
    return out;
  }

  /** The next record (see `readRecord`); its payload is a view of the current piece. */
  next(): ReadResult {
    if (!this._has(RECORD_HEADER_BYTES)) this._fill(RECORD_HEADER_BYTES);
    if (this._has(RECORD_HEADER_BYTES)) {
      const need = RECORD_HEADER_BYTES + this._piece.readUInt32BE(this._pos);
      if (!this._has(need) && this.offset + need <= this._size) this._fill(need);
    }
    const r = readRecord(this._piece, this._pos);
    if (!('problem' in r)) this._pos = r.next;
    return r;
  }

  /** Chunk refs into the current piece for a payload of its (copies when the piece cannot be a slab). */
  chunkRefs(arena: ChunkArena, payload: Buffer): ChunkRefs {
    const start = payload.byteOffset - this._piece.byteOffset;
    if (this._piece.length > this._pieceBytes) return (pos, len) => arena.putBytes(payload.subarray(pos, pos + len));
    if (this._slab === undefined) {
      // a plain Uint8Array, as the arena's own slabs: a Buffer here makes the decoder's byte reads polymorphic
      this._slab = arena.adoptSlab(new Uint8Array(this._piece.buffer, this._piece.byteOffset, this._piece.length));
      this._arena = arena;
    }
    const slab = this._slab;
    return (pos) => arena.refIn(slab, start + pos);
  }

  close(): void {
    this._release();
    closeSync(this._fd);
  }

  private _has(n: number): boolean {
    return this._pos + n <= this._piece.length;
  }

  /** A new piece starting at the current offset, at least `n` bytes (a piece's size, or to the end of the file). */
  private _fill(n: number): void {
    const from = this.offset;
    const len = Math.min(this._size - from, Math.max(n, this._pieceBytes));
    const piece = Buffer.allocUnsafeSlow(len);
    let got = 0;
    while (got < len) {
      const k = readSync(this._fd, piece, got, len - got, from + got);
      if (k <= 0) break;
      got += k;
    }
    this._release();
    this._piece = got === len ? piece : piece.subarray(0, got);
    this._base = from;
    this._pos = 0;
  }

  /** The previous piece's slab goes if no chunk of it was kept. */
  private _release(): void {
    if (this._slab !== undefined) this._arena?.dropIfEmpty(this._slab);
    this._slab = undefined;
  }
}

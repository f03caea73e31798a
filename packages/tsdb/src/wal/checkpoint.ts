/**
 * Checkpoints: a snapshot of the whole head (series, their compressed chunks, out-of-order
 * samples) in one file `checkpoint.NNNNNNNN`, covering every WAL segment below NNNNNNNN. Restart
 * loads the newest checkpoint and replays only the segments after it, so restart time is bounded
 * by the checkpoint interval, not by history. Written to a temp file, fsynced, then renamed.
 */
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { fsyncDirSync } from '@fathom/kit';
import { join } from 'node:path';
import { labelStrings } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { XorEncoder, xorChunkCount, xorChunkFirstTime } from '../chunk/xor-chunk.js';
import type { Head } from '../head/head.js';
import type { MemSeries } from '../head/mem-series.js';
import { seriesKey } from '../head/series-key.js';
import type { RolledPoint } from '../rollup/accumulator.js';
import { TierSeries } from '../rollup/tier-series.js';
import { ByteReader, ByteWriter } from './codec.js';
import { beginRecord, endRecord, readRecord, RecordType } from './records.js';
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

function decodeSnapshotV2(payload: Buffer, symbols: readonly string[], head: Head): MemSeries {
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
    s.addSealed({ minTMs, maxTMs, count: r.uvarint(), bytes: r.bytes() });
    prevMax = maxTMs;
  }
  readOpenAndLast(r, s, hasLast ? lastT : -Infinity, lastV);
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
function readOpenAndLast(r: ByteReader, s: MemSeries, lastTMs: number, lastValue: number): void {
  const open = r.bytes();
  const count = open.length > 0 ? xorChunkCount(open) : 0;
  const firstTMs = count > 0 ? xorChunkFirstTime(open) : NaN;
  if (count > 0 && lastTMs >= firstTMs) s.addSealed({ minTMs: firstTMs, maxTMs: lastTMs, count, bytes: open });
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
export function loadCheckpoint(dir: string, head: Head): CheckpointLoad | undefined {
  const seq = listCheckpoints(dir)[0];
  if (seq === undefined) return undefined;
  const name = checkpointName(seq);
  const buf = readFileSync(join(dir, name));
  const legacyTiers: LegacyTiers[] = [];
  const magic = buf.subarray(0, CHECKPOINT_MAGIC.length);
  const v1 = magic.equals(CHECKPOINT_MAGIC_V1);
  if (!v1 && !magic.equals(CHECKPOINT_MAGIC)) {
    const text = magic.toString('latin1');
    const why = text.startsWith(MAGIC_PREFIX) ? `checkpoint format version ${JSON.stringify(text.slice(MAGIC_PREFIX.length))} is not supported by this build (it reads 1 and 2)` : 'bad header (not a Fathom checkpoint)';
    return { seq, series: 0, legacyTiers, problems: [`${name}: ${why}; its series are lost`] };
  }
  let off = CHECKPOINT_MAGIC.length;
  let series = 0;
  let symbols: string[] | undefined;
  while (off < buf.length) {
    const r = readRecord(buf, off);
    if ('problem' in r) return { seq, series, legacyTiers, problems: [`${name} at offset ${off}: ${r.problem}; the series after it are lost`] };
    try {
      if (v1 && r.type === RecordType.SeriesSnapshot) head.adopt(decodeSnapshot(r.payload, legacyTiers, head));
      else if (!v1 && r.type === RecordType.CheckpointSymbols) symbols = decodeSymbols(r.payload);
      else if (!v1 && r.type === RecordType.SeriesSnapshotV2) {
        if (!symbols) throw new Error('series snapshot before the symbol table');
        head.adopt(decodeSnapshotV2(r.payload, symbols, head));
      } else if (r.type === RecordType.CheckpointMeta) head.minValidMs = new ByteReader(r.payload).int64();
      else if (r.type === RecordType.CheckpointEnd) return { seq, series, legacyTiers, problems: [] };
    } catch (err) {
      return { seq, series, legacyTiers, problems: [`${name} at offset ${off}: undecodable record (${(err as Error).message}); the series after it are lost`] };
    }
    if (r.type === RecordType.SeriesSnapshot || r.type === RecordType.SeriesSnapshotV2) series++;
    off = r.next;
  }
  return { seq, series, legacyTiers, problems: [`${name}: ends without its end record (truncated); the series after offset ${off} are lost`] };
}

/**
 * The journal: an append-only, checksummed record log that makes acknowledged samples durable
 * until the TSDB engine takes over. Format spec: docs/formats/server-journal.md.
 *
 * Segments `NNNNNNNN.journal` start with the magic `FTHMJRN1`; each record is
 * `u32be length | u32be crc32(payload) | payload`, the payload a raw-deflated JSON array of
 * `[labels, [[tMs, value], …]]`. Replay keeps every record it can read: a torn or corrupt record
 * ends its segment (the last segment is truncated there so appends continue cleanly) and is
 * reported, never silently served.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { isStaleMarker, STALE_NAN } from '@fathom/model';
import type { Labels, Sample } from '@fathom/model';

export const JOURNAL_MAGIC = Buffer.from('FTHMJRN1', 'ascii');
const HEADER_BYTES = 8;
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** One series of a record. Samples are objects, not [t, v] pairs: see sample-buffer.ts on NaN bits. */
export type JournalSeries = readonly [labels: Labels, samples: readonly Sample[]];

export interface JournalOptions {
  readonly dir: string;
  readonly fsync: 'always' | 'never';
  /** A segment is closed and a new one started past this size. */
  readonly segmentBytes?: number;
}

export interface ReplayReport {
  readonly segments: number;
  readonly records: number;
  readonly droppedBytes: number;
  /** One line per problem: which segment, at which offset, what was wrong. */
  readonly problems: readonly string[];
}

interface Segment {
  readonly seq: number;
  readonly path: string;
  maxTMs: number;
}

export class Journal {
  private readonly _segments: Segment[] = [];
  private _fd: number | undefined;
  private _size = 0;

  constructor(private readonly _opts: JournalOptions) {
    mkdirSync(_opts.dir, { recursive: true });
  }

  /** Reads every segment in order, calling `onRecord` per readable record. Call once, before `append`. */
  replay(onRecord: (series: JournalSeries[]) => void): ReplayReport {
    const files = readdirSync(this._opts.dir).filter((f) => /^\d{8}\.journal$/.test(f)).sort();
    const problems: string[] = [];
    let records = 0;
    let droppedBytes = 0;
    files.forEach((file, i) => {
      const path = join(this._opts.dir, file);
      const r = replaySegment(path, onRecord);
      records += r.records;
      const seg: Segment = { seq: Number(file.slice(0, 8)), path, maxTMs: r.maxTMs };
      this._segments.push(seg);
      if (r.problem === undefined) return;
      const size = statSync(path).size;
      droppedBytes += size - r.goodBytes;
      problems.push(`${file} at offset ${r.goodBytes}: ${r.problem}; ${size - r.goodBytes} bytes dropped`);
      if (i === files.length - 1) truncateSync(path, Math.max(r.goodBytes, 0));
    });
    return { segments: files.length, records, droppedBytes, problems };
  }

  /** Appends one record; with fsync `always` it is on disk when this returns. */
  append(series: readonly JournalSeries[]): void {
    if (series.length === 0) return;
    const payload = deflateRawSync(JSON.stringify(series.map(([l, s]) => [l, s.map((p) => [p.tMs, encodeValue(p.value)])])));
    const head = Buffer.alloc(8);
    head.writeUInt32BE(payload.length, 0);
    head.writeUInt32BE(crc32(payload), 4);
    const fd = this._activeFd(payload.length + 8);
    writeSync(fd, Buffer.concat([head, payload]));
    this._size += payload.length + 8;
    if (this._opts.fsync === 'always') fdatasyncSync(fd);
    const seg = this._segments[this._segments.length - 1];
    if (seg) for (const [, s] of series) for (const p of s) if (p.tMs > seg.maxTMs) seg.maxTMs = p.tMs;
  }

  private _activeFd(incoming: number): number {
    const limit = this._opts.segmentBytes ?? 64 * 1024 * 1024;
    if (this._fd !== undefined && this._size + incoming <= limit) return this._fd;
    this._closeFd();
    const last = this._segments[this._segments.length - 1];
    const reuse = last !== undefined && this._fd === undefined && statSync(last.path).size + incoming <= limit && this._size === 0;
    const seg = reuse ? last : { seq: (last?.seq ?? 0) + 1, path: join(this._opts.dir, `${String((last?.seq ?? 0) + 1).padStart(8, '0')}.journal`), maxTMs: 0 };
    if (!reuse) this._segments.push(seg);
    this._fd = openSync(seg.path, 'a');
    this._size = statSync(seg.path).size;
    if (this._size === 0) {
      writeSync(this._fd, JOURNAL_MAGIC);
      this._size = HEADER_BYTES;
    }
    return this._fd;
  }

  /** Deletes closed segments whose newest sample is older than `minMs`. Returns how many. */
  deleteBefore(minMs: number): number {
    let deleted = 0;
    while (this._segments.length > 1 && (this._segments[0]?.maxTMs ?? Infinity) < minMs) {
      const seg = this._segments.shift();
      if (seg) rmSync(seg.path, { force: true });
      deleted++;
    }
    return deleted;
  }

  close(): void {
    this._closeFd();
  }

  private _closeFd(): void {
    if (this._fd === undefined) return;
    if (this._opts.fsync === 'always') fdatasyncSync(this._fd);
    closeSync(this._fd);
    this._fd = undefined;
    this._size = 0;
  }
}

interface SegmentReplay {
  records: number;
  goodBytes: number;
  maxTMs: number;
  problem?: string;
}

function replaySegment(path: string, onRecord: (series: JournalSeries[]) => void): SegmentReplay {
  const buf = readFileSync(path);
  if (buf.length === 0) return { records: 0, goodBytes: 0, maxTMs: 0 };
  if (buf.length < HEADER_BYTES || !buf.subarray(0, HEADER_BYTES).equals(JOURNAL_MAGIC)) {
    return { records: 0, goodBytes: 0, maxTMs: 0, problem: 'bad segment header (not a Fathom journal)' };
  }
  let off = HEADER_BYTES;
  let records = 0;
  let maxTMs = 0;
  while (off < buf.length) {
    const problem = readRecord(buf, off, (series, next) => {
      for (const [, s] of series) for (const p of s) if (p.tMs > maxTMs) maxTMs = p.tMs;
      onRecord(series);
      records++;
      off = next;
    });
    if (problem !== undefined) return { records, goodBytes: off, maxTMs, problem };
  }
  return { records, goodBytes: off, maxTMs };
}

function readRecord(buf: Buffer, off: number, ok: (series: JournalSeries[], next: number) => void): string | undefined {
  if (off + 8 > buf.length) return 'torn record header';
  const len = buf.readUInt32BE(off);
  const crc = buf.readUInt32BE(off + 4);
  if (len > MAX_RECORD_BYTES) return `record length ${len} is implausible`;
  if (off + 8 + len > buf.length) return 'torn record (shorter than its length)';
  const payload = buf.subarray(off + 8, off + 8 + len);
  if (crc32(payload) !== crc) return 'checksum mismatch';
  let series: JournalSeries[];
  try {
    series = decodePayload(payload);
  } catch (err) {
    return `undecodable record: ${(err as Error).message}`;
  }
  ok(series, off + 8 + len);
  return undefined;
}

function decodePayload(payload: Buffer): JournalSeries[] {
  const raw = JSON.parse(inflateRawSync(payload).toString('utf8')) as [Labels, [number, number | string][]][];
  return raw.map(([l, s]) => [l, s.map(([t, v]) => ({ tMs: t, value: decodeValue(v) }))]);
}

/** JSON has no NaN or infinities; the stale marker must keep its exact bits, so it has its own word. */
function encodeValue(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return isStaleMarker(v) ? 'stale' : String(v);
}

function decodeValue(v: number | string): number {
  if (typeof v === 'number') return v;
  return v === 'stale' ? STALE_NAN : Number(v);
}

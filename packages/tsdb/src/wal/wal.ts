/**
 * The write-ahead log: numbered segment files `NNNNNNNN.wal` (magic `FTHMWAL1`) of framed,
 * CRC-checked records. Spec: docs/formats/tsdb-wal.md.
 *
 * fsync policy: `always` — a commit's records are written and fdatasync'ed (off the event loop)
 * before the commit resolves (an acknowledged sample survives power loss); `never` — written to the OS before the
 * commit resolves (survives a process crash, not a power loss). A write that fails (ENOSPC, EIO)
 * is cut off the segment again so the log stays readable, and the commit fails with a clear error.
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirSync } from '@fathom/kit';
import { readRecord } from './records.js';

export const WAL_MAGIC = Buffer.from('FTHMWAL1', 'ascii');
const DEFAULT_SEGMENT_BYTES = 32 * 1024 * 1024;

export type FsyncPolicy = 'always' | 'never';

export interface WalOptions {
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  readonly segmentBytes?: number;
}

export interface WalReplayReport {
  readonly segments: number;
  readonly records: number;
  readonly droppedBytes: number;
  readonly problems: readonly string[];
}

/** The WAL could not take a write; nothing of the batch is stored or acknowledged. */
export class WalWriteError extends Error {
  override readonly name = 'WalWriteError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export function segmentName(seq: number): string {
  return `${String(seq).padStart(8, '0')}.wal`;
}

export class Wal {
  private _seqs: number[] = [];
  private _fd: number | undefined;
  private _size = 0;

  constructor(private readonly _opts: WalOptions) {
    mkdirSync(_opts.dir, { recursive: true });
    this._seqs = readdirSync(_opts.dir)
      .filter((f) => /^\d{8}\.wal$/.test(f))
      .map((f) => Number(f.slice(0, 8)))
      .sort((a, b) => a - b);
  }

  get dir(): string {
    return this._opts.dir;
  }

  /** Sequence number of the segment being written (or to be written next). */
  get currentSeq(): number {
    return this._seqs[this._seqs.length - 1] ?? 1;
  }

  /**
   * Reads segments ≥ `fromSeq` in order. A torn or corrupt record ends its segment: the rest of
   * that segment is dropped and reported (the last segment is truncated there so appends go on).
   */
  replay(fromSeq: number, onRecord: (type: number, payload: Buffer) => void): WalReplayReport {
    const seqs = this._seqs.filter((s) => s >= fromSeq);
    const problems: string[] = [];
    let records = 0;
    let droppedBytes = 0;
    seqs.forEach((seq, i) => {
      const path = join(this._opts.dir, segmentName(seq));
      const r = replaySegment(readFileSync(path), onRecord);
      records += r.records;
      if (r.problem === undefined) return;
      const size = statSync(path).size;
      droppedBytes += size - r.goodBytes;
      problems.push(`WAL segment ${segmentName(seq)} at offset ${r.goodBytes}: ${r.problem}; ${size - r.goodBytes} bytes dropped`);
      if (i === seqs.length - 1) truncateSync(path, r.goodBytes);
    });
    return { segments: seqs.length, records, droppedBytes, problems };
  }

  /**
   * Appends a commit's framed records as one write, then makes them durable per the fsync policy:
   * the promise settles once they are. With `always` the fdatasync runs on libuv's thread pool, so
   * the event loop serves queries meanwhile (fdatasyncSync held it 3-9 ms per commit on this VM's
   * disk, more on slow disks). The bytes are in the kernel when this returns (the caller may reuse
   * `records`); a failed write throws here, a failed fdatasync rejects, and either cuts the records
   * off again. The caller must not write, cut or close before the promise settles.
   */
  write(records: Buffer): Promise<void> {
    const fd = this._activeFd(records.length);
    const before = this._size;
    try {
      let off = 0;
      while (off < records.length) off += writeSync(fd, records, off, records.length - off);
    } catch (err) {
      this._size = this._undo(fd, before);
      throw this._writeError(err);
    }
    this._size += records.length;
    if (this._opts.fsync !== 'always') return Promise.resolve();
    return new Promise((resolve, reject) => {
      fdatasync(fd, (err) => {
        if (!err) return resolve();
        this._size = this._undo(fd, before);
        reject(this._writeError(err));
      });
    });
  }

  private _writeError(err: unknown): WalWriteError {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOSPC' ? 'no space left on device' : e.message;
    return new WalWriteError(`WAL write to ${this._opts.dir} failed (${why}); the batch was not stored`, e.code);
  }

  /**
   * Cuts a failed commit's records off again; returns the segment's size after. If the truncate
   * fails too (a file system gone read-only), whole records may stay: a restart then replays a
   * batch whose commit failed — data the sender wanted, and its retry an exact duplicate (a no-op).
   * The size is then read back, so the segment limit keeps counting what is really there.
   */
  private _undo(fd: number, size: number): number {
    try {
      ftruncateSync(fd, size);
      return size;
    } catch {
      try {
        return fstatSync(fd).size;
      } catch {
        return size;
      }
    }
  }

  /** Closes the current segment and starts the next; returns its sequence number. */
  cut(): number {
    this._closeFd();
    const seq = this.currentSeq + (this._seqs.length === 0 ? 0 : 1);
    this._open(seq);
    return seq;
  }

  private _activeFd(incoming: number): number {
    const limit = this._opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (this._fd !== undefined && (this._size + incoming <= limit || this._size <= WAL_MAGIC.length)) return this._fd;
    if (this._fd !== undefined) this._closeFd();
    else if (this._seqs.length > 0) return this._reopenLast(incoming, limit);
    return this._open(this._seqs.length === 0 ? 1 : this.currentSeq + 1);
  }

  private _reopenLast(incoming: number, limit: number): number {
    const path = join(this._opts.dir, segmentName(this.currentSeq));
    const size = statSync(path).size;
    if (size + incoming > limit && size > WAL_MAGIC.length) return this._open(this.currentSeq + 1);
    const fd = openSync(path, 'a');
    this._fd = fd;
    this._size = size;
    if (size < WAL_MAGIC.length) {
      // empty, or a header torn by a failed start: records after it would be unreadable
      if (size > 0) this._size = this._undo(fd, 0);
      this._writeMagic(fd);
    }
    return fd;
  }

  private _open(seq: number): number {
    const fd = openSync(join(this._opts.dir, segmentName(seq)), 'a');
    if (!this._seqs.includes(seq)) this._seqs.push(seq);
    this._fd = fd;
    this._size = 0;
    this._writeMagic(fd);
    // the new segment's directory entry: without it a power loss can drop the file and the
    // acknowledged records in it, fdatasync'ed or not
    if (this._opts.fsync === 'always') fsyncDirSync(this._opts.dir);
    return fd;
  }

  /**
   * Starts a segment with its header. On failure (no space) the segment is closed again, so the
   * next write reopens it and writes the header first: records appended after a missing or torn
   * header would be acknowledged, then dropped with the segment at replay.
   */
  private _writeMagic(fd: number): void {
    try {
      let off = 0;
      while (off < WAL_MAGIC.length) off += writeSync(fd, WAL_MAGIC, off, WAL_MAGIC.length - off);
      this._size = WAL_MAGIC.length;
    } catch (err) {
      this._undo(fd, 0);
      closeSync(fd);
      this._fd = undefined;
      this._size = 0;
      throw new WalWriteError(`cannot start WAL segment in ${this._opts.dir}: ${(err as Error).message}`, (err as NodeJS.ErrnoException).code);
    }
  }

  /** Deletes segments with a sequence number below `seq` (covered by a checkpoint). */
  deleteBefore(seq: number): number {
    const old = this._seqs.filter((s) => s < seq);
    for (const s of old) rmSync(join(this._opts.dir, segmentName(s)), { force: true });
    this._seqs = this._seqs.filter((s) => s >= seq);
    return old.length;
  }

  /** Bytes in segments ≥ `seq` (how much a restart would replay). */
  bytesFrom(seq: number): number {
    let n = 0;
    for (const s of this._seqs) if (s >= seq) n += s === this.currentSeq && this._fd !== undefined ? this._size : statSync(join(this._opts.dir, segmentName(s))).size;
    return n;
  }

  close(): void {
    this._closeFd();
  }

  private _closeFd(): void {
    if (this._fd === undefined) return;
    try {
      if (this._opts.fsync === 'always') fdatasyncSync(this._fd);
    } finally {
      closeSync(this._fd);
      this._fd = undefined;
      this._size = 0;
    }
  }
}

interface SegmentReplay {
  readonly records: number;
  readonly goodBytes: number;
  readonly problem?: string;
}

function replaySegment(buf: Buffer, onRecord: (type: number, payload: Buffer) => void): SegmentReplay {
  if (buf.length === 0) return { records: 0, goodBytes: 0 };
  if (buf.length < WAL_MAGIC.length || !buf.subarray(0, WAL_MAGIC.length).equals(WAL_MAGIC)) {
    return { records: 0, goodBytes: 0, problem: 'bad segment header (not a Fathom WAL segment)' };
  }
  let off = WAL_MAGIC.length;
  let records = 0;
  while (off < buf.length) {
    const r = readRecord(buf, off);
    if ('problem' in r) return { records, goodBytes: off, problem: r.problem };
    try {
      onRecord(r.type, r.payload);
    } catch (err) {
      return { records, goodBytes: off, problem: `undecodable record: ${(err as Error).message}` };
    }
    records++;
    off = r.next;
  }
  return { records, goodBytes: off };
}

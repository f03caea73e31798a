/**
 * A bounded, ordered, crash-safe queue of encoded batches on disk (docs/formats/agent-spool.md).
 * One file per batch, `<seq>.batch`, written to a temporary name, fsynced and renamed, so a crash
 * leaves either the whole batch or nothing. Each file carries a CRC32 of its payload; a file that
 * fails the check is moved to `corrupt/` and counted, never sent. Past `maxBytes` the oldest
 * batches are deleted and counted as dropped.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export const SPOOL_MAGIC = Buffer.from('FTHMSPL1', 'ascii');
const HEADER_BYTES = SPOOL_MAGIC.length + 4;

export interface SpoolEntry {
  readonly seq: number;
  readonly payload: Uint8Array;
}

export interface SpoolStats {
  readonly batches: number;
  readonly bytes: number;
  readonly droppedBatches: number;
  readonly droppedBytes: number;
  readonly corruptBatches: number;
}

export class DiskSpool {
  private readonly _files: { seq: number; bytes: number }[] = [];
  private _bytes = 0;
  private _nextSeq = 1;
  private _droppedBatches = 0;
  private _droppedBytes = 0;
  private _corrupt = 0;

  constructor(
    private readonly _dir: string,
    private readonly _maxBytes: number,
  ) {
    mkdirSync(_dir, { recursive: true });
    for (const name of readdirSync(_dir)) {
      if (name.endsWith('.tmp')) rmSync(join(_dir, name), { force: true }); // a crash mid-write
      const m = /^(\d{16})\.batch$/.exec(name);
      if (!m) continue;
      const bytes = statSync(join(_dir, name)).size;
      this._files.push({ seq: Number(m[1]), bytes });
      this._bytes += bytes;
    }
    this._files.sort((a, b) => a.seq - b.seq);
    this._nextSeq = (this._files[this._files.length - 1]?.seq ?? 0) + 1;
  }

  get isEmpty(): boolean {
    return this._files.length === 0;
  }

  stats(): SpoolStats {
    return { batches: this._files.length, bytes: this._bytes, droppedBatches: this._droppedBatches, droppedBytes: this._droppedBytes, corruptBatches: this._corrupt };
  }

  /** Appends a batch at the tail, dropping the oldest batches if the bound requires it. */
  push(payload: Uint8Array): void {
    const size = HEADER_BYTES + payload.length;
    while (this._files.length > 0 && this._bytes + size > this._maxBytes) this._dropOldest();
    if (size > this._maxBytes) {
      this._droppedBatches++;
      this._droppedBytes += size;
      return;
    }
    const seq = this._nextSeq++;
    const header = Buffer.alloc(HEADER_BYTES);
    SPOOL_MAGIC.copy(header);
    header.writeUInt32BE(crc32(payload), SPOOL_MAGIC.length);
    const tmp = join(this._dir, `${name(seq)}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, header);
      writeSync(fd, payload);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this._dir, name(seq)));
    this._files.push({ seq, bytes: size });
    this._bytes += size;
  }

  /** The oldest readable batch, or undefined. Corrupt files met on the way are set aside. */
  peek(): SpoolEntry | undefined {
    for (;;) {
      const head = this._files[0];
      if (!head) return undefined;
      const payload = this._read(head.seq);
      if (payload) return { seq: head.seq, payload };
      this._setAside(head.seq);
    }
  }

  /** Removes a batch after it was delivered (or refused for good). */
  remove(seq: number): void {
    const i = this._files.findIndex((f) => f.seq === seq);
    if (i < 0) return;
    const [f] = this._files.splice(i, 1);
    this._bytes -= f?.bytes ?? 0;
    rmSync(join(this._dir, name(seq)), { force: true });
  }

  private _read(seq: number): Uint8Array | undefined {
    let buf: Buffer;
    try {
      buf = readFileSync(join(this._dir, name(seq)));
    } catch {
      return undefined;
    }
    if (buf.length < HEADER_BYTES || !buf.subarray(0, SPOOL_MAGIC.length).equals(SPOOL_MAGIC)) return undefined;
    const payload = buf.subarray(HEADER_BYTES);
    return crc32(payload) === buf.readUInt32BE(SPOOL_MAGIC.length) ? payload : undefined;
  }

  private _setAside(seq: number): void {
    const corruptDir = join(this._dir, 'corrupt');
    mkdirSync(corruptDir, { recursive: true });
    try {
      renameSync(join(this._dir, name(seq)), join(corruptDir, name(seq)));
    } catch {
      // already gone
    }
    const i = this._files.findIndex((f) => f.seq === seq);
    const [f] = this._files.splice(i, 1);
    this._bytes -= f?.bytes ?? 0;
    this._corrupt++;
  }

  private _dropOldest(): void {
    const f = this._files.shift();
    if (!f) return;
    this._bytes -= f.bytes;
    this._droppedBatches++;
    this._droppedBytes += f.bytes;
    rmSync(join(this._dir, name(f.seq)), { force: true });
  }
}

function name(seq: number): string {
  return `${String(seq).padStart(16, '0')}.batch`;
}

/**
 * Record framing shared by WAL segments and checkpoints (docs/formats/tsdb-wal.md):
 * `u32be payloadLength | u32be crc32(type ‖ payload) | u8 type | payload`.
 */
import { crc32 } from 'node:zlib';
import type { ByteWriter } from './codec.js';

export const RECORD_HEADER_BYTES = 9;
const MAX_RECORD_BYTES = 512 * 1024 * 1024;

export const RecordType = {
  Series: 1,
  Samples: 2,
  SeriesSnapshot: 3,
  CheckpointEnd: 4,
  CheckpointMeta: 5,
  /** Checkpoint v2: the label strings its snapshots refer to. */
  CheckpointSymbols: 6,
  /** Checkpoint v2: a series with labels as symbol refs and compact chunk times. */
  SeriesSnapshotV2: 7,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

export function frameRecord(type: RecordType, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out[8] = type;
  payload.copy(out, RECORD_HEADER_BYTES);
  out.writeUInt32BE(crc32(out.subarray(8)), 4);
  return out;
}

/**
 * Starts a record in `w` (header space reserved); write the payload into `w`, then
 * {@link endRecord} with the returned offset. Frames in place: no payload Buffer and no copy.
 */
export function beginRecord(w: ByteWriter, type: RecordType): number {
  const at = w.length;
  w.u32be(0).u32be(0).u8(type);
  return at;
}

/** Fills in the length and checksum of the record begun at `at`. */
export function endRecord(w: ByteWriter, at: number): void {
  const end = w.length;
  w.setU32be(at, end - at - RECORD_HEADER_BYTES);
  w.setU32be(at + 4, crc32(w.view(at + 8, end)));
}

export type ReadResult = { readonly type: number; readonly payload: Buffer; readonly next: number } | { readonly problem: string };

/** Reads the record at `off`; a problem names what is wrong (torn, checksum, implausible). */
export function readRecord(buf: Buffer, off: number): ReadResult {
  if (off + RECORD_HEADER_BYTES > buf.length) return { problem: 'torn record header' };
  const len = buf.readUInt32BE(off);
  if (len > MAX_RECORD_BYTES) return { problem: `record length ${len} is implausible` };
  const end = off + RECORD_HEADER_BYTES + len;
  if (end > buf.length) return { problem: 'torn record (shorter than its length)' };
  if (crc32(buf.subarray(off + 8, end)) !== buf.readUInt32BE(off + 4)) return { problem: 'checksum mismatch' };
  return { type: buf[off + 8] ?? 0, payload: buf.subarray(off + RECORD_HEADER_BYTES, end), next: end };
}

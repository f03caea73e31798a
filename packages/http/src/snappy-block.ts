/**
 * Snappy block format (https://github.com/google/snappy/blob/main/format_description.txt), decoded
 * in JS into a buffer the caller owns. The `snappy` napi package can only return a fresh native
 * Buffer per call: several MB per remote-write request, malloc'ed between the head's long-lived
 * slabs and freed only when a GC finds the Buffer, leaving holes glibc cannot return.
 */

export class SnappyError extends Error {
  override readonly name = 'SnappyError';
}

/** The decompressed length in the block's varint header, and where the compressed stream starts. */
export function snappyHeader(src: Uint8Array): { length: number; start: number } {
  let n = 0;
  for (let i = 0; i < 5 && i < src.length; i++) {
    const b = src[i] ?? 0;
    n += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { length: n, start: i + 1 };
  }
  throw new SnappyError('bad length header');
}

/**
 * Decompresses `src` (header included) into `out[0, length)` and returns `length`; `out` must hold
 * at least the header's length (the caller bounds it first). Throws {@link SnappyError} on a
 * truncated or corrupt stream, or one whose output is not exactly the declared length.
 */
export function uncompressInto(src: Buffer, out: Buffer): number {
  const { length, start } = snappyHeader(src);
  if (out.length < length) throw new RangeError(`output buffer of ${out.length} bytes for ${length}`);
  let ip = start;
  let op = 0;
  const end = src.length;
  while (ip < end) {
    const tag = src[ip++] ?? 0;
    const kind = tag & 3;
    if (kind === 0) {
      let len = (tag >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (ip + extra > end) throw new SnappyError('truncated literal length');
        len = 1 + readLE(src, ip, extra);
        ip += extra;
      }
      if (ip + len > end) throw new SnappyError('truncated literal');
      if (op + len > length) throw new SnappyError('literal runs past the declared length');
      op = copyLiteral(src, ip, len, out, op);
      ip += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (ip + 1 > end) throw new SnappyError('truncated copy');
      len = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | (src[ip++] ?? 0);
    } else {
      const bytes = kind === 2 ? 2 : 4;
      if (ip + bytes > end) throw new SnappyError('truncated copy');
      len = (tag >>> 2) + 1;
      offset = readLE(src, ip, bytes);
      ip += bytes;
    }
    if (offset === 0 || offset > op) throw new SnappyError(`copy offset ${offset} outside the output`);
    if (op + len > length) throw new SnappyError('copy runs past the declared length');
    op = copyMatch(out, op, offset, len);
  }
  if (op !== length) throw new SnappyError(`stream ends at ${op} of ${length} declared bytes`);
  return length;
}

function readLE(src: Uint8Array, at: number, bytes: number): number {
  let v = 0;
  for (let i = bytes - 1; i >= 0; i--) v = v * 256 + (src[at + i] ?? 0);
  return v;
}

/** Short literals byte by byte: a native copy call costs more than ~16 bytes of loop. */
function copyLiteral(src: Buffer, ip: number, len: number, out: Buffer, op: number): number {
  if (len < 16) {
    for (let i = 0; i < len; i++) out[op + i] = src[ip + i] ?? 0;
  } else src.copy(out, op, ip, ip + len);
  return op + len;
}

/** An overlapping match (offset < len) repeats the bytes just written, so it is copied forwards byte by byte. */
function copyMatch(out: Buffer, op: number, offset: number, len: number): number {
  const from = op - offset;
  if (len < 16 || offset < len) {
    for (let i = 0; i < len; i++) out[op + i] = out[from + i] ?? 0;
  } else out.copyWithin(op, from, from + len);
  return op + len;
}

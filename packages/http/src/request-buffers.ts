/**
 * Per-request memory of the remote-write receiver, reused across requests: the body, its snappy
 * output and the decoded sample columns. Allocated fresh per request they were several MB of
 * native memory each time, freed only when a GC found them and interleaved in malloc's heap with
 * the head's long-lived slabs: holes glibc cannot give back (bench/README.md, RSS after the
 * backfill). A set is leased by one request at a time, so concurrent requests never share bytes.
 */
import type { Context } from 'hono';
import { ApiError } from './envelope.js';
import { SampleColumns } from './prompb.js';

/** One request's buffers; `body`/`decoded` grow (replaced by bigger ones) as requests need. */
export class RequestBuffers {
  body: Buffer = Buffer.allocUnsafeSlow(MIN_BYTES);
  decoded: Buffer = Buffer.allocUnsafeSlow(MIN_BYTES);
  readonly columns = new SampleColumns();

  get bytes(): number {
    return this.body.length + this.decoded.length + this.columns.bytes;
  }
}

export interface BufferPoolStats {
  /** Sets leased, and how many of those were taken from the pool rather than allocated. */
  leases: number;
  reused: number;
  /** Sets not kept at release: the pool was full or the set had grown past the retained bound. */
  dropped: number;
  /** Bytes held by the sets now in the pool. */
  pooledBytes: number;
}

/**
 * Senders keep a few requests in flight (the bench 2 shards, Prometheus' shards up to its max): more
 * than `maxFree` at once allocate their own and drop them after. Sets left unused for `idleMs` are
 * dropped, so a finished backfill does not hold its buffers for the process.
 */
export class RequestBufferPool {
  private readonly _free: RequestBuffers[] = [];
  private _idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly _maxFree: number,
    private readonly _maxSetBytes: number,
    private readonly _idleMs: number,
    readonly stats: BufferPoolStats = { leases: 0, reused: 0, dropped: 0, pooledBytes: 0 },
  ) {}

  acquire(): RequestBuffers {
    this.stats.leases++;
    const b = this._free.pop();
    if (!b) return new RequestBuffers();
    this.stats.reused++;
    this.stats.pooledBytes -= b.bytes;
    return b;
  }

  /** The caller must hold no view into `b` afterwards (labels and metadata are strings: copies). */
  release(b: RequestBuffers): void {
    if (this._free.length >= this._maxFree || b.bytes > this._maxSetBytes) {
      this.stats.dropped++;
      return;
    }
    this._free.push(b);
    this.stats.pooledBytes += b.bytes;
    if (this._idle) this._idle.refresh();
    else this._idle = setTimeout(() => this._dropIdle(), this._idleMs).unref();
  }

  private _dropIdle(): void {
    this._idle = undefined;
    this.stats.dropped += this._free.length;
    this.stats.pooledBytes = 0;
    this._free.length = 0;
  }
}

const MIN_BYTES = 64 * 1024;
const MIB = 1 << 20;

/**
 * A buffer of at least `need` bytes: `buf` itself, or a new one rounded up (to a power of two up to
 * 1 MiB, then to whole MiB: kept sets waste little) so slowly growing requests rarely reallocate.
 */
export function atLeast(buf: Buffer, need: number): Buffer {
  if (buf.length >= need) return buf;
  const bytes = need <= MIB ? Math.max(MIN_BYTES, 2 ** Math.ceil(Math.log2(need))) : Math.ceil(need / MIB) * MIB;
  return Buffer.allocUnsafeSlow(bytes);
}

/**
 * Reads the request body into `b.body` (sized by Content-Length when given) and returns its length;
 * 413 past `maxBytes` without buffering the rest, 400 when empty.
 */
export async function readBodyInto(c: Context, maxBytes: number, b: RequestBuffers): Promise<number> {
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (declared > maxBytes) throw new ApiError('too_large', `request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`);
  if (declared > 0) b.body = atLeast(b.body, declared);
  const stream = c.req.raw.body;
  if (!stream) throw new ApiError('bad_data', 'empty request body');
  let total = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    if (total + chunk.length > maxBytes) throw new ApiError('too_large', `request body exceeds the limit of ${maxBytes} bytes`);
    if (total + chunk.length > b.body.length) b.body = grown(b.body, total, total + chunk.length);
    b.body.set(chunk, total);
    total += chunk.length;
  }
  if (total === 0) throw new ApiError('bad_data', 'empty request body');
  return total;
}

/** A body longer than its Content-Length said (or without one): a bigger buffer keeping the bytes read so far. */
function grown(buf: Buffer, used: number, need: number): Buffer {
  const next = atLeast(buf, need);
  buf.copy(next, 0, 0, used);
  return next;
}

/**
 * The Prometheus remote write v1 receiver: `POST /api/v1/write` with a snappy-compressed (block
 * format) protobuf `WriteRequest` (docs/formats/remote-write.md). Bounded: the compressed body, the
 * declared decompressed size, the series and the samples per request. Malformed input gets 400 with
 * a plain-text reason and touches nothing; a valid request is committed through the storage
 * Appender and answered 204 once durable. Samples storage refuses (out of bounds, duplicates,
 * limits) do not stop the others: they are stored, and the answer is 400 naming the first refusals,
 * which Prometheus senders treat as non-retryable, as with Prometheus itself.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import snappy from 'snappy';
import type { Logger } from '@fathom/kit';
import { isValidLabelName, isValidMetricName, labelsOf } from '@fathom/model';
import type { Labels } from '@fathom/model';
import type { Appendable } from '@fathom/storage';
import { ApiError } from './envelope.js';
import { readBody } from './ingest.js';
import type { MetadataStore } from './metadata.js';
import { METRIC_TYPES, RemoteWriteError, decodeWriteRequest } from './prompb.js';
import type { PbLabel, WriteRequest } from './prompb.js';

export interface RemoteWriteLimits {
  readonly maxBodyBytes: number;
  readonly maxDecodedBytes: number;
  readonly maxSeries: number;
  readonly maxSamples: number;
}

export const DEFAULT_REMOTE_WRITE_LIMITS: RemoteWriteLimits = {
  maxBodyBytes: 16 << 20,
  maxDecodedBytes: 64 << 20,
  maxSeries: 100_000,
  maxSamples: 1_000_000,
};

export interface RemoteWriteDeps {
  readonly storage: Appendable;
  readonly logger: Logger;
  readonly metadata: MetadataStore;
  readonly limits?: RemoteWriteLimits;
}

/** Counters the server exports about remote write. */
export interface RemoteWriteStats {
  requests: number;
  samplesAccepted: number;
  samplesRejected: number;
  badRequests: number;
  /** Exemplars and native histograms received and not stored. */
  unsupportedSkipped: number;
}

export function newRemoteWriteStats(): RemoteWriteStats {
  return { requests: 0, samplesAccepted: 0, samplesRejected: 0, badRequests: 0, unsupportedSkipped: 0 };
}

export function remoteWriteApi(deps: RemoteWriteDeps, stats: RemoteWriteStats): Hono {
  const limits = deps.limits ?? DEFAULT_REMOTE_WRITE_LIMITS;
  const seen = new LabelsCache(LABELS_CACHE_ENTRIES);
  const api = new Hono();
  api.post('/write', async (c) => {
    let req: WriteRequest<Labels>;
    try {
      checkHeaders(c);
      req = decodeWriteRequest(decompress(await readBody(c, limits.maxBodyBytes), limits.maxDecodedBytes), { ...limits, knownLabels: (wire, start, end) => seen.get(wire, start, end) });
      validate(req);
    } catch (err) {
      stats.badRequests++;
      const { status, message } = describe(err);
      deps.logger.warn('rejected remote write', { error: message });
      return c.text(`${message}\n`, status);
    }
    for (const m of req.metadata) {
      if (m.family) deps.metadata.set(m.family, { type: METRIC_TYPES[m.type] ?? 'unknown', help: m.help, unit: m.unit });
    }
    const app = deps.storage.appender();
    for (const ts of req.timeseries) {
      let labels = ts.known;
      if (!labels) {
        labels = toLabels(ts);
        if (ts.labelStart >= 0) seen.set(req.wire, ts.labelStart, ts.labelEnd, labels);
      }
      for (let k = ts.sampleStart; k < ts.sampleEnd; k++) app.append(labels, req.times[k] ?? 0, req.values[k] ?? 0);
      stats.unsupportedSkipped += ts.skipped;
    }
    const r = await app.commit();
    stats.requests++;
    stats.samplesAccepted += r.accepted;
    stats.samplesRejected += r.rejected;
    if (r.rejected > 0) {
      const first = r.errors.map((e) => e.message).join('; ');
      deps.logger.warn('remote write samples rejected', { rejected: r.rejected, first });
      return c.text(`${r.rejected} of ${r.accepted + r.rejected} samples rejected (the others were stored): ${first}\n`, 400);
    }
    return c.body(null, 204);
  });
  return api;
}

function checkHeaders(c: Context): void {
  const encoding = (c.req.header('content-encoding') ?? '').toLowerCase();
  if (encoding !== '' && encoding !== 'snappy') throw new UnsupportedMediaType(`unsupported Content-Encoding ${JSON.stringify(encoding)}: remote write bodies must be snappy-compressed`);
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type !== '' && !type.startsWith('application/x-protobuf')) throw new UnsupportedMediaType(`unsupported Content-Type ${JSON.stringify(type)}: expected application/x-protobuf`);
  const proto = /proto=([^;\s]+)/.exec(type)?.[1];
  if (proto !== undefined && proto !== 'prometheus.WriteRequest') throw new UnsupportedMediaType(`unsupported remote write protobuf message ${proto}: Fathom receives remote write v1 (prometheus.WriteRequest)`);
}

class UnsupportedMediaType extends Error {}

/** Snappy block format: a varint of the decompressed length, then the compressed stream. */
function decompress(body: Uint8Array, maxDecodedBytes: number): Uint8Array {
  const declared = snappyDeclaredLength(body);
  if (declared > maxDecodedBytes) throw new ApiError('too_large', `decompressed body of ${declared} bytes exceeds the limit of ${maxDecodedBytes} bytes`);
  try {
    return snappy.uncompressSync(Buffer.from(body.buffer, body.byteOffset, body.byteLength)) as Buffer;
  } catch (err) {
    throw new RemoteWriteError(`body is not snappy block-compressed: ${(err as Error).message}`);
  }
}

function snappyDeclaredLength(body: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < 5 && i < body.length; i++) {
    const b = body[i] ?? 0;
    n += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return n;
  }
  throw new RemoteWriteError('body is not snappy block-compressed: bad length header');
}

function validate(req: WriteRequest<Labels>): void {
  for (const ts of req.timeseries) {
    for (let k = ts.sampleStart; k < ts.sampleEnd; k++) {
      const tMs = req.times[k] ?? 0;
      if (!Number.isSafeInteger(tMs)) throw new RemoteWriteError(`sample timestamp ${tMs} out of range`);
    }
    if (ts.known) continue; // the same label bytes were validated when first seen
    const seen = new Set<string>();
    let name: string | undefined;
    for (const l of ts.labels) {
      if (!isValidLabelName(l.name)) throw new RemoteWriteError(`invalid label name ${JSON.stringify(l.name)}`);
      if (seen.has(l.name)) throw new RemoteWriteError(`duplicate label name ${JSON.stringify(l.name)} in one series`);
      seen.add(l.name);
      if (l.name === '__name__') name = l.value;
    }
    if (name === undefined || !isValidMetricName(name)) throw new RemoteWriteError(`series without a valid metric name: ${JSON.stringify(name ?? '')}`);
  }
}

/** Senders repeat every series' labels in every request: label sets by their wire bytes, so a known series costs one lookup. */
const LABELS_CACHE_ENTRIES = 250_000;

interface CachedLabels {
  /** A copy of the label section's wire bytes. */
  readonly bytes: Buffer;
  readonly labels: Labels;
  /** Another section with the same hash. */
  next: CachedLabels | undefined;
}

/**
 * Two generations of at most `max` entries each: bounded at 2 × max; a set evicted with its
 * generation is decoded again. Keyed by a hash of the bytes and compared byte for byte, so a
 * lookup allocates nothing (a string key per series per request was most of what the young
 * generation promoted during a backfill).
 */
class LabelsCache {
  private _current = new Map<number, CachedLabels>();
  private _previous = new Map<number, CachedLabels>();
  private _size = 0;

  constructor(private readonly _max: number) {}

  /** No promotion: lookups never evict, so a request's answers stay valid until it is stored. */
  get(wire: Buffer, start: number, end: number): Labels | undefined {
    const h = hashBytes(wire, start, end);
    return find(this._current.get(h), wire, start, end) ?? find(this._previous.get(h), wire, start, end);
  }

  set(wire: Buffer, start: number, end: number, labels: Labels): void {
    if (this._size >= this._max) {
      this._previous = this._current;
      this._current = new Map();
      this._size = 0;
    }
    const h = hashBytes(wire, start, end);
    this._current.set(h, { bytes: Buffer.from(wire.subarray(start, end)), labels, next: this._current.get(h) });
    this._size++;
  }
}

function find(e: CachedLabels | undefined, wire: Buffer, start: number, end: number): Labels | undefined {
  for (let c = e; c; c = c.next) if (c.bytes.length === end - start && c.bytes.compare(wire, start, end) === 0) return c.labels;
  return undefined;
}

/** FNV-1a (32 bits) of `wire[start, end)`. */
function hashBytes(wire: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (wire[i] ?? 0), 0x01000193);
  return h >>> 0;
}

function toLabels(ts: { readonly labels: readonly PbLabel[] }): Labels {
  return labelsOf(Object.fromEntries(ts.labels.map((l) => [l.name, l.value])));
}

function describe(err: unknown): { status: 400 | 413 | 415; message: string } {
  if (err instanceof UnsupportedMediaType) return { status: 415, message: err.message };
  if (err instanceof ApiError && err.type === 'too_large') return { status: 413, message: err.message };
  return { status: 400, message: (err as Error).message };
}

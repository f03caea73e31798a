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
import type { Logger } from '@fathom/kit';
import { isValidLabelName, isValidMetricName, labelStrings, labelsOf } from '@fathom/model';
import type { Labels } from '@fathom/model';
import type { Appendable, Appender } from '@fathom/storage';
import { ApiError } from './envelope.js';
import type { MetadataStore } from './metadata.js';
import { METRIC_TYPES, RemoteWriteError, decodeWriteRequest } from './prompb.js';
import type { PbLabel, WriteRequest } from './prompb.js';
import { RequestBufferPool, atLeast, readBodyInto } from './request-buffers.js';
import type { BufferPoolStats, RequestBuffers } from './request-buffers.js';
import { LABELS_CACHE_ENTRIES, LabelsCache } from './labels-cache.js';
import { SnappyError, snappyHeader, uncompressInto } from './snappy-block.js';

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
  /** The per-request buffers' pool (request-buffers.ts). */
  readonly buffers: BufferPoolStats;
}

export function newRemoteWriteStats(): RemoteWriteStats {
  return { requests: 0, samplesAccepted: 0, samplesRejected: 0, badRequests: 0, unsupportedSkipped: 0, buffers: { leases: 0, reused: 0, dropped: 0, pooledBytes: 0 } };
}

/** Buffer sets kept between requests, the biggest one kept (a rare huge request's set is dropped, not held for the process), and how long unused ones are kept. */
const POOLED_SETS = 4;
const MAX_POOLED_SET_BYTES = 16 << 20;
const POOL_IDLE_MS = 250;

export function remoteWriteApi(deps: RemoteWriteDeps, stats: RemoteWriteStats): Hono {
  const limits = deps.limits ?? DEFAULT_REMOTE_WRITE_LIMITS;
  const seen = new LabelsCache(LABELS_CACHE_ENTRIES);
  const pool = new RequestBufferPool(POOLED_SETS, MAX_POOLED_SET_BYTES, POOL_IDLE_MS, stats.buffers);
  const api = new Hono();
  api.post('/write', async (c) => {
    const buffers = pool.acquire();
    let req: WriteRequest<Labels>;
    try {
      checkHeaders(c);
      const decoded = decompress(buffers, await readBodyInto(c, limits.maxBodyBytes, buffers), limits.maxDecodedBytes);
      req = decodeWriteRequest(decoded, { ...limits, columns: buffers.columns, knownLabels: (wire, start, end) => seen.get(wire, start, end) });
      validate(req);
    } catch (err) {
      pool.release(buffers);
      stats.badRequests++;
      const { status, message } = describe(err);
      deps.logger.warn('rejected remote write', { error: message });
      return c.text(`${message}\n`, status);
    }
    let app: Appender;
    try {
      app = stage(req, deps, seen, stats);
    } finally {
      pool.release(buffers); // nothing staged refers to it: label and metadata strings are copies, samples numbers
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

/** Metadata recorded and every sample handed to a new appender; label sets decoded once are cached by their wire bytes (copied). */
function stage(req: WriteRequest<Labels>, deps: RemoteWriteDeps, seen: LabelsCache, stats: RemoteWriteStats): Appender {
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
  return app;
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

/**
 * Snappy block format: a varint of the decompressed length, then the compressed stream. The length
 * is checked against the limit before `b.decoded` grows for it; the result is a view into it.
 */
function decompress(b: RequestBuffers, bodyBytes: number, maxDecodedBytes: number): Buffer {
  const body = b.body.subarray(0, bodyBytes);
  try {
    const { length } = snappyHeader(body);
    if (length > maxDecodedBytes) throw new ApiError('too_large', `decompressed body of ${length} bytes exceeds the limit of ${maxDecodedBytes} bytes`);
    b.decoded = atLeast(b.decoded, length);
    return b.decoded.subarray(0, uncompressInto(body, b.decoded));
  } catch (err) {
    if (err instanceof SnappyError) throw new RemoteWriteError(`body is not snappy block-compressed: ${err.message}`);
    throw err;
  }
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

/** Values as the process's shared copies (`labelStrings`): the cached set is then the one the TSDB head keeps. */
function toLabels(ts: { readonly labels: readonly PbLabel[] }): Labels {
  return labelStrings.internLabels(labelsOf(Object.fromEntries(ts.labels.map((l) => [l.name, l.value]))));
}

function describe(err: unknown): { status: 400 | 413 | 415; message: string } {
  if (err instanceof UnsupportedMediaType) return { status: 415, message: err.message };
  if (err instanceof ApiError && err.type === 'too_large') return { status: 413, message: err.message };
  return { status: 400, message: (err as Error).message };
}

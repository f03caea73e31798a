import { gunzipSync, gzipSync } from 'node:zlib';
import { formatFloat, isStaleMarker, parseFloatStrict, STALE_NAN } from '@fathom/model';
import type { Batch, BatchSeries } from './batch.js';
import { PROTOCOL_VERSION } from './batch.js';
import { ProtocolError } from './errors.js';
import { batchWireSchema } from './schema.js';
import type { BatchWire } from './schema.js';

export interface DecodeLimits {
  /** Largest accepted body after decompression, in bytes (guards against gzip bombs). */
  readonly maxDecodedBytes: number;
  /** Largest accepted number of series in one batch. */
  readonly maxSeries: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxDecodedBytes: 64 * 1024 * 1024, maxSeries: 500_000 };

/** Serialises and gzips a batch. */
export function encodeBatch(batch: Batch): Uint8Array {
  const wire = {
    ...batch,
    series: batch.series.map((s) => ({ labels: s.labels, samples: s.samples.map(([t, v]) => [t, toWire(v)]) })),
  };
  return gzipSync(JSON.stringify(wire));
}

function toWire(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return isStaleMarker(v) ? 'stale' : formatFloat(v);
}

/** Decompresses, parses and validates a batch; throws {@link ProtocolError} saying what is wrong. */
export function decodeBatch(body: Uint8Array, gzipped: boolean, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Batch {
  const json = gzipped ? gunzip(body, limits.maxDecodedBytes) : Buffer.from(body);
  if (json.length > limits.maxDecodedBytes) {
    throw new ProtocolError('too_large', `batch is ${json.length} bytes, more than the limit of ${limits.maxDecodedBytes}`);
  }
  const raw = parseJson(json);
  checkVersion(raw);
  const parsed = batchWireSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'batch';
    throw new ProtocolError('invalid', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  if (parsed.data.series.length > limits.maxSeries) {
    throw new ProtocolError('too_large', `batch has ${parsed.data.series.length} series, more than the limit of ${limits.maxSeries}`);
  }
  return fromWire(parsed.data);
}

function gunzip(body: Uint8Array, maxBytes: number): Buffer {
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new ProtocolError('too_large', `batch decompresses to more than the limit of ${maxBytes} bytes`);
    }
    throw new ProtocolError('bad_encoding', `body is not valid gzip: ${e.message}`);
  }
}

function parseJson(json: Buffer): unknown {
  try {
    return JSON.parse(json.toString('utf8')) as unknown;
  } catch (err) {
    throw new ProtocolError('bad_json', `body is not valid JSON: ${(err as Error).message}`);
  }
}

function checkVersion(raw: unknown): void {
  const version = typeof raw === 'object' && raw !== null ? (raw as { version?: unknown }).version : undefined;
  if (version !== PROTOCOL_VERSION) {
    throw new ProtocolError('bad_version', `unsupported protocol version ${JSON.stringify(version)}; this server speaks version ${PROTOCOL_VERSION}`);
  }
}

/**
 * `[t, STALE_NAN]` as a literal would be a double array, where V8 canonicalizes NaN and erases the
 * marker's bits; a tuple created with a non-number slot keeps the value boxed, bits intact.
 */
function staleSample(tMs: number): readonly [number, number] {
  return sampleTuple(tMs, STALE_NAN);
}

/** A `[tMs, value]` sample whose value keeps its exact bits (use it for stale markers). */
export function sampleTuple(tMs: number, value: number): readonly [number, number] {
  const tuple: [number, number | null] = [tMs, null];
  tuple[1] = value;
  return tuple as [number, number];
}

function fromWire(wire: BatchWire): Batch {
  const series: BatchSeries[] = wire.series.map((s) => ({
    labels: s.labels,
    samples: s.samples.map(([t, v]) => (v === 'stale' ? staleSample(t) : ([t, typeof v === 'number' ? v : (parseFloatStrict(v) ?? NaN)] as const))),
  }));
  return { version: PROTOCOL_VERSION, agent: wire.agent, seq: wire.seq, metadata: wire.metadata, series };
}

/**
 * The agent ingest endpoint: POST /api/agent/v1/batches with a protocol-v1 batch
 * (docs/formats/agent-protocol.md). A malformed or oversized batch gets 400/413 with a message
 * saying what is wrong, and touches nothing; a valid batch is committed to storage and answered
 * only once it is durable; a batch the storage refuses as overloaded gets 503 + Retry-After. Per-sample rejections (limits, conflicting duplicates) do not fail the
 * batch: they are counted and returned.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { Logger } from '@fathom/kit';
import { labelsOf } from '@fathom/model';
import { decodeBatch, ProtocolError, sampleCount } from '@fathom/protocol';
import type { Batch, DecodeLimits } from '@fathom/protocol';
import type { Appendable, CommitResult } from '@fathom/storage';
import { ApiError, failure, success } from './envelope.js';
import { overloadedResponse } from './overload.js';

export interface IngestDeps {
  readonly storage: Appendable;
  readonly logger: Logger;
  readonly limits: DecodeLimits & { readonly maxBodyBytes: number };
}

/** Counters the server exports about ingest. */
export interface IngestStats {
  batches: number;
  samplesAccepted: number;
  samplesRejected: number;
  badRequests: number;
}

export function ingestApi(deps: IngestDeps, stats: IngestStats): Hono {
  const api = new Hono();
  api.post('/batches', async (c) => {
    let batch: Batch;
    try {
      batch = decodeBatch(await readBody(c, deps.limits.maxBodyBytes), isGzip(c), deps.limits);
    } catch (err) {
      stats.badRequests++;
      const apiErr = toApiError(err);
      deps.logger.warn('rejected ingest batch', { error: apiErr.message, remote: c.req.header('x-forwarded-for') ?? '' });
      return failure(c, apiErr);
    }
    const app = deps.storage.appender();
    for (const s of batch.series) {
      const labels = labelsOf(s.labels);
      for (const [t, v] of s.samples) app.append(labels, t, v);
    }
    let r: CommitResult;
    try {
      r = await app.commit();
    } catch (err) {
      // storage write queue full: nothing stored, 503 + Retry-After so the agent resends the batch
      const busy = overloadedResponse(c, err);
      if (!busy) throw err;
      deps.logger.warn('ingest batch refused: storage overloaded', { agent: batch.agent.id, seq: batch.seq });
      return busy;
    }
    stats.batches++;
    stats.samplesAccepted += r.accepted;
    stats.samplesRejected += r.rejected;
    if (r.rejected > 0) deps.logger.warn('samples rejected', { agent: batch.agent.id, seq: batch.seq, rejected: r.rejected, first: r.errors[0]?.message ?? '' });
    return success(c, { seq: batch.seq, samples: sampleCount(batch), accepted: r.accepted, rejected: r.rejected, errors: r.errors.map((e) => e.message) });
  });
  return api;
}

function isGzip(c: Context): boolean {
  return (c.req.header('content-encoding') ?? '').toLowerCase() === 'gzip';
}

/** Reads a request body, refusing (413) past `maxBytes` without buffering the rest. */
export async function readBody(c: Context, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (declared > maxBytes) throw new ApiError('too_large', `request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`);
  const body = c.req.raw.body;
  if (!body) throw new ApiError('bad_data', 'empty request body');
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) throw new ApiError('too_large', `request body exceeds the limit of ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  if (total === 0) throw new ApiError('bad_data', 'empty request body');
  return Buffer.concat(chunks);
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ProtocolError) return new ApiError(err.code === 'too_large' ? 'too_large' : 'bad_data', err.message);
  return new ApiError('bad_data', (err as Error).message);
}

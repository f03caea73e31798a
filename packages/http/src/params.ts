/** Request parameters of the Prometheus API: times, durations, matchers, from query string or form body. */
import type { Context } from 'hono';
import { parseDurationMs } from '@fathom/model';
import type { Matcher } from '@fathom/model';
import type { QueryError } from '@fathom/query';
import { parseQuery } from '@fathom/query';
import { ApiError } from './envelope.js';

/** All parameters of a request: query string merged with a urlencoded POST body. */
export async function readParams(c: Context): Promise<URLSearchParams> {
  const params = new URLSearchParams(new URL(c.req.url).search);
  if (c.req.method === 'POST' && (c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(await c.req.text())) params.append(k, v);
  }
  return params;
}

/** RFC 3339 or Unix seconds (with fraction), as Prometheus accepts; `fallbackMs` when absent. */
export function timeParam(params: URLSearchParams, name: string, fallbackMs: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallbackMs;
  if (/^-?\d+(\.\d+)?$/.test(raw)) {
    // past ~1e305 s the number is infinite (Prometheus' ParseFloat reports a range error): no grid can step over it
    const ms = Math.round(Number(raw) * 1000);
    if (!Number.isFinite(ms)) throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse "${raw}" to a valid timestamp`);
    return ms;
  }
  const ms = Date.parse(raw);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(raw)) throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse "${raw}" to a valid timestamp`);
  return ms;
}

/** A Prometheus duration or a float number of seconds. */
export function durationParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : parseDurationMs(raw);
  if (ms === undefined || !Number.isFinite(ms)) throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse "${raw}" to a valid duration`);
  return ms;
}

export function requiredParam(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  if (v === null || v === '') throw new ApiError('bad_data', `invalid parameter "${name}": parameter is required`);
  return v;
}

/** `match[]` selectors, each parsed as a PromQL vector selector. */
export function matchParams(params: URLSearchParams): Matcher[][] {
  return params.getAll('match[]').map((text) => {
    let expr;
    try {
      expr = parseQuery(text);
    } catch (err) {
      throw new ApiError('bad_data', `invalid parameter "match[]": ${(err as QueryError).message}`);
    }
    if (expr.kind !== 'vector') throw new ApiError('bad_data', `invalid parameter "match[]": ${JSON.stringify(text)} is not a series selector`);
    return [...expr.matchers];
  });
}

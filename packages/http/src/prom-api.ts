/**
 * The Prometheus-compatible query API: /api/v1/query, query_range, series, labels, label values.
 * Response shapes and error types follow Prometheus' docs/querying/api.md exactly.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { labelsKey } from '@fathom/model';
import type { Labels, Matcher } from '@fathom/model';
import { QueryError } from '@fathom/query';
import type { QueryControls, QueryEngine, QueryResult } from '@fathom/query';
import { ColumnArena } from '@fathom/storage';
import type { Queryable } from '@fathom/storage';
import { ApiError, apiTime, failure, formatValue, jsonBytes, success } from './envelope.js';
import type { MetadataStore } from './metadata.js';
import { queryResultJson } from './result-json.js';
import { durationParam, matchParams, readParams, requiredParam, timeParam } from './params.js';

export interface PromApiDeps {
  readonly storage: Queryable;
  readonly engine: QueryEngine;
  readonly nowMs?: () => number;
  /** Metric metadata reported by remote-write senders, for /api/v1/metadata. */
  readonly metadata?: MetadataStore;
}

/** Prometheus' defaults when start/end are absent on metadata endpoints. */
const MIN_TIME_MS = -62_135_596_800_000;
const MAX_TIME_MS = 253_402_300_799_000;

export function promApi(deps: PromApiDeps): Hono {
  const api = new Hono();
  const now = deps.nowMs ?? Date.now;
  const handle = (fn: (c: Context, p: URLSearchParams) => Promise<Response>) => async (c: Context) => {
    try {
      return await fn(c, await readParams(c));
    } catch (err) {
      return failure(c, toApiError(err));
    }
  };

  const query = handle(async (c, p) => {
    const tMs = timeParam(p, 'time', now());
    return inArena(async (arena) => {
      const r = await deps.engine.instantQuery(requiredParam(p, 'query'), tMs, { ...controls(c, p), arena });
      return jsonBytes(c, queryResultJson(r, undefined, r.infos));
    });
  });
  const queryRange = handle(async (c, p) => {
    const startMs = timeParam(p, 'start', NaN);
    const endMs = timeParam(p, 'end', NaN);
    if (Number.isNaN(startMs)) throw new ApiError('bad_data', 'invalid parameter "start": parameter is required');
    if (Number.isNaN(endMs)) throw new ApiError('bad_data', 'invalid parameter "end": parameter is required');
    const stepMs = durationParam(p, 'step');
    if (stepMs === undefined) throw new ApiError('bad_data', 'invalid parameter "step": parameter is required');
    return inArena(async (arena) => {
      const r = await deps.engine.rangeQuery(requiredParam(p, 'query'), startMs, endMs, stepMs, { ...controls(c, p), arena });
      return jsonBytes(c, queryResultJson(r, undefined, r.infos));
    });
  });
  const series = handle(async (c, p) => {
    const sets = matchParams(p);
    if (sets.length === 0) throw new ApiError('bad_data', 'no match[] parameter provided');
    const found = await selectAll(deps.storage, sets, p);
    return success(c, found);
  });
  const labels = handle(async (c, p) => {
    const q = await deps.storage.querier(timeParam(p, 'start', MIN_TIME_MS), timeParam(p, 'end', MAX_TIME_MS));
    const sets = matchParams(p);
    const names = sets.length === 0 ? await q.labelNames() : unionSorted(await Promise.all(sets.map((m) => q.labelNames(m))));
    return success(c, limit(names, p));
  });
  const labelValues = handle(async (c, p) => {
    const name = c.req.param('name') ?? '';
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new ApiError('bad_data', `invalid label name: ${JSON.stringify(name)}`);
    const q = await deps.storage.querier(timeParam(p, 'start', MIN_TIME_MS), timeParam(p, 'end', MAX_TIME_MS));
    const sets = matchParams(p);
    const values = sets.length === 0 ? await q.labelValues(name) : unionSorted(await Promise.all(sets.map((m) => q.labelValues(name, m))));
    return success(c, limit(values, p));
  });

  api.on(['GET', 'POST'], '/query', query);
  api.on(['GET', 'POST'], '/query_range', queryRange);
  api.on(['GET', 'POST'], '/series', series);
  api.on(['GET', 'POST'], '/labels', labels);
  api.get('/label/:name/values', labelValues);
  api.get('/metadata', handle(async (c, p) => {
    const n = p.get('limit');
    const max = n === null || n === '' ? undefined : Number(n);
    if (max !== undefined && !Number.isInteger(max)) throw new ApiError('bad_data', `invalid parameter "limit": cannot parse "${n ?? ''}" to a valid limit`);
    return Promise.resolve(success(c, deps.metadata?.query(p.get('metric') ?? undefined, max) ?? {}));
  }));
  api.on(['GET', 'POST'], '/query_exemplars', handle((c) => Promise.resolve(success(c, []))));
  api.get('/status/buildinfo', (c) => success(c, { version: '0.1.0', revision: '', branch: '', buildUser: '', buildDate: '', goVersion: '' }));
  return api;
}

/**
 * A query whose selects decode into an arena released once its JSON is written (the bytes are a
 * copy): the next query reuses the slabs (column-arena.ts in @fathom/storage).
 */
async function inArena(run: (arena: ColumnArena) => Promise<Response>): Promise<Response> {
  const arena = ColumnArena.acquire();
  try {
    return await run(arena);
  } finally {
    arena.release();
  }
}

/** The request's timeout parameter and its abort signal (the client going away cancels the query). */
function controls(c: Context, p: URLSearchParams): QueryControls {
  const timeoutMs = durationParam(p, 'timeout');
  const signal = c.req.raw.signal as AbortSignal | undefined;
  return { ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(signal ? { signal } : {}) };
}

async function selectAll(storage: Queryable, sets: Matcher[][], p: URLSearchParams): Promise<Labels[]> {
  const q = await storage.querier(timeParam(p, 'start', MIN_TIME_MS), timeParam(p, 'end', MAX_TIME_MS));
  const byKey = new Map<string, Labels>();
  for (const matchers of sets) for (const s of await q.select(matchers)) byKey.set(labelsKey(s.labels), s.labels);
  return limit([...byKey.values()], p);
}

function limit<T>(items: readonly T[], p: URLSearchParams): T[] {
  const raw = p.get('limit');
  if (raw === null || raw === "" || raw === "0") return [...items];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ApiError('bad_data', `invalid parameter "limit": cannot parse "${raw}" to a valid limit`);
  return items.slice(0, n);
}

function unionSorted(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}

/** The result as objects for `JSON.stringify` (the API writes the same JSON as bytes: result-json.ts). */
export function formatResult(r: QueryResult): unknown {
  switch (r.resultType) {
    case 'scalar':
      return { resultType: 'scalar', result: [apiTime(r.tMs), formatValue(r.value)] };
    case 'string':
      return { resultType: 'string', result: [apiTime(r.tMs), r.value] };
    case 'vector':
      return { resultType: 'vector', result: r.samples.map((s) => ({ metric: s.labels, value: [apiTime(r.tMs), formatValue(s.value)] })) };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: r.series.map((s) => ({ metric: s.labels, values: Array.from(s.samples.tMs, (tMs, i) => [apiTime(tMs), formatValue(s.samples.values[i]!)]) })),
      };
  }
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof QueryError) return new ApiError(err.type, err.message);
  return new ApiError('internal', (err as Error).message ?? String(err));
}

/**
 * Runs queries: parses, fetches every selector's series once for the whole query range, then
 * evaluates step by step with the pure {@link Evaluator}. Bounded by a timeout and a sample budget.
 */
import { labelsKey } from '@fathom/model';
import type { Labels, Sample } from '@fathom/model';
import type { Queryable, SeriesData } from '@fathom/storage';
import type { Expr, VectorSelector } from './ast.js';
import { typeOf } from './ast.js';
import { QueryError } from './errors.js';
import { Evaluator } from './evaluator.js';
import { parseQuery } from './parse.js';
import type { QueryResult } from './value.js';

export interface EngineOptions {
  /** How far back an instant selector looks for the latest sample (Prometheus: 5m). */
  readonly lookbackMs: number;
  readonly timeoutMs: number;
  /** Most samples a query may load; past it the query fails rather than exhaust memory. */
  readonly maxSamples: number;
  /** Most steps a range query may have (Prometheus: 11,000). */
  readonly maxSteps: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = { lookbackMs: 300_000, timeoutMs: 120_000, maxSamples: 50_000_000, maxSteps: 11_000 };

export class QueryEngine {
  private readonly _opts: EngineOptions;

  constructor(
    private readonly _storage: Queryable,
    opts: Partial<EngineOptions> = {},
  ) {
    this._opts = { ...DEFAULT_ENGINE_OPTIONS, ...opts };
  }

  async instantQuery(query: string, tMs: number, timeoutMs = this._opts.timeoutMs): Promise<QueryResult> {
    const expr = parseQuery(query);
    const evaluator = await this._prepare(expr, tMs, tMs);
    const deadline = Date.now() + timeoutMs;
    const v = evaluator.eval(expr, tMs);
    checkDeadline(deadline);
    if (v.type === 'scalar') return { resultType: 'scalar', tMs, value: v.value };
    if (v.type === 'vector') return { resultType: 'vector', tMs, samples: v.samples };
    return { resultType: 'matrix', series: sortSeries(v.series.map((s) => ({ labels: s.labels, samples: s.samples }))) };
  }

  async rangeQuery(query: string, startMs: number, endMs: number, stepMs: number, timeoutMs = this._opts.timeoutMs): Promise<QueryResult> {
    if (endMs < startMs) throw new QueryError('bad_data', 'end timestamp must not be before start time');
    if (stepMs <= 0) throw new QueryError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    if ((endMs - startMs) / stepMs > this._opts.maxSteps) {
      throw new QueryError('bad_data', `exceeded maximum resolution of ${this._opts.maxSteps} points per timeseries. Try decreasing the query resolution (?step=XX)`);
    }
    const expr = parseQuery(query);
    const type = typeOf(expr);
    if (type === 'matrix') throw new QueryError('bad_data', 'invalid expression type "range vector" for range query, must be Scalar or instant Vector');
    const evaluator = await this._prepare(expr, startMs, endMs);
    const deadline = Date.now() + timeoutMs;
    const series = new Map<string, { labels: Labels; samples: Sample[] }>();
    for (let t = startMs; t <= endMs; t += stepMs) {
      checkDeadline(deadline);
      const v = evaluator.eval(expr, t);
      const samples = v.type === 'scalar' ? [{ labels: {}, value: v.value }] : v.type === 'vector' ? v.samples : [];
      for (const s of samples) {
        const key = labelsKey(s.labels);
        let entry = series.get(key);
        if (!entry) series.set(key, (entry = { labels: s.labels, samples: [] }));
        entry.samples.push({ tMs: t, value: s.value });
      }
    }
    return { resultType: 'matrix', series: sortSeries([...series.values()]) };
  }

  private async _prepare(expr: Expr, startMs: number, endMs: number): Promise<Evaluator> {
    const data = new Map<VectorSelector, readonly SeriesData[]>();
    let loaded = 0;
    for (const { sel, windowMs } of selectors(expr)) {
      const querier = await this._storage.querier(startMs - sel.offsetMs - (windowMs ?? this._opts.lookbackMs), endMs - sel.offsetMs);
      const series = await querier.select(sel.matchers);
      for (const s of series) loaded += s.samples.length;
      if (loaded > this._opts.maxSamples) throw new QueryError('execution', 'query processing would load too many samples into memory in query execution');
      data.set(sel, series);
    }
    return new Evaluator(data, this._opts.lookbackMs);
  }
}

/** Every vector selector of an expression, with the window it needs (range for matrices). */
function selectors(e: Expr): { sel: VectorSelector; windowMs?: number }[] {
  switch (e.kind) {
    case 'vector':
      return [{ sel: e }];
    case 'matrix':
      return [{ sel: e.vector, windowMs: e.rangeMs }];
    case 'unary':
    case 'aggregate':
      return selectors(e.expr);
    case 'binary':
      return [...selectors(e.lhs), ...selectors(e.rhs)];
    case 'call':
      return e.args.flatMap(selectors);
    case 'number':
      return [];
  }
}

function checkDeadline(deadline: number): void {
  if (Date.now() > deadline) throw new QueryError('timeout', 'query timed out in expression evaluation');
}

function sortSeries<T extends { labels: Labels }>(series: T[]): T[] {
  return series.sort((a, b) => (labelsKey(a.labels) < labelsKey(b.labels) ? -1 : 1));
}

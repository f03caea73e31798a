/**
 * Runs queries: parses, fetches every selector's series once for the whole query range (passing
 * SelectHints), then evaluates step by step with the pure {@link Evaluator}. Bounded by a timeout,
 * an abort signal, a loaded-series budget and a sample budget, with Prometheus' error messages.
 */
import { labelsKey, labelsOf } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { ColumnsBuilder } from '@fathom/storage';
import type { ColumnArena, Queryable, SeriesData } from '@fathom/storage';
import type { Expr, VectorSelector } from './ast.js';
import { typeOf } from './ast.js';
import { QueryError } from './errors.js';
import { Evaluator } from './evaluator.js';
import type { EvalContext } from './evaluator.js';
import { keyOf } from './memo.js';
import { dataSteps } from './narrow.js';
import { parseQuery } from './parse.js';
import { planSelectors } from './plan.js';
import { StepEvaluator } from './step-eval.js';
import { instantSamples, matrixSeries, stepGrid } from './step-output.js';
import { StepBudgetExceeded } from './step-value.js';
import type { StepGrid, StepValue } from './step-value.js';
import type { SelectorPlan } from './plan.js';
import type { QueryResult } from './value.js';

export interface EngineOptions {
  /** How far back an instant selector looks for the latest sample (Prometheus: 5m). */
  readonly lookbackMs: number;
  readonly timeoutMs: number;
  /** Most samples a query may load or produce; past it the query fails rather than exhaust memory. */
  readonly maxSamples: number;
  /** Most series a query may load. */
  readonly maxSeries: number;
  /** Most steps a range query may have (Prometheus: 11,000). */
  readonly maxSteps: number;
  /** Step of subqueries written without one (Prometheus: the evaluation interval, 1m). */
  readonly defaultSubqueryStepMs: number;
  /**
   * Evaluate with the per-step reference evaluator only (evaluator.ts), never the step evaluator
   * (step-eval.ts). Both give identical results; tests compare them.
   */
  readonly perStepOnly?: boolean;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  lookbackMs: 300_000,
  timeoutMs: 120_000,
  maxSamples: 50_000_000,
  maxSeries: 1_000_000,
  maxSteps: 11_000,
  defaultSubqueryStepMs: 60_000,
};

/** Per-query controls: a timeout (ms) and a signal that cancels the query. */
export interface QueryControls {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Where selects may put decoded columns; the caller releases it once it has read the result (column-arena.ts in @fathom/storage). */
  readonly arena?: ColumnArena;
}

export class QueryEngine {
  private readonly _opts: EngineOptions;

  constructor(
    private readonly _storage: Queryable,
    opts: Partial<EngineOptions> = {},
  ) {
    this._opts = { ...DEFAULT_ENGINE_OPTIONS, ...opts };
  }

  async instantQuery(query: string, tMs: number, controls: QueryControls | number = {}): Promise<QueryResult> {
    const c = typeof controls === 'number' ? { timeoutMs: controls } : controls;
    const expr = parseQuery(query);
    const { evaluator, infos, stepEvaluator, resetSamples } = await this._prepare(expr, tMs, tMs, 0, c);
    const extra = infos.length ? { infos } : {};
    const type = typeOf(expr);
    if (!this._opts.perStepOnly && (type === 'vector' || type === 'scalar')) {
      const sv = overBudget(() => stepEvaluator(stepGrid(tMs, tMs, 0)).eval(expr));
      if (sv?.type === 'scalar') return { resultType: 'scalar', tMs, value: sv.values[0] ?? NaN, ...extra };
      if (sv) return { resultType: 'vector', tMs, samples: instantSamples(sv), ...extra };
      resetSamples();
    }
    const v = evaluator.eval(expr, tMs);
    if (v.type === 'scalar') return { resultType: 'scalar', tMs, value: v.value, ...extra };
    if (v.type === 'string') return { resultType: 'string', tMs, value: v.value, ...extra };
    if (v.type === 'vector') return { resultType: 'vector', tMs, samples: v.samples.map((s) => ({ labels: s.labels, value: s.value })), ...extra };
    return { resultType: 'matrix', series: sortSeries(v.series.map((s) => ({ labels: s.labels, samples: s.samples }))), ...extra };
  }

  async rangeQuery(query: string, startMs: number, endMs: number, stepMs: number, controls: QueryControls | number = {}): Promise<QueryResult> {
    const c = typeof controls === 'number' ? { timeoutMs: controls } : controls;
    if (endMs < startMs) throw new QueryError('bad_data', 'end timestamp must not be before start time');
    if (stepMs <= 0) throw new QueryError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    if ((endMs - startMs) / stepMs > this._opts.maxSteps) {
      throw new QueryError('bad_data', `exceeded maximum resolution of ${this._opts.maxSteps} points per timeseries. Try decreasing the query resolution (?step=XX)`);
    }
    const expr = parseQuery(query);
    const type = typeOf(expr);
    if (type !== 'scalar' && type !== 'vector') throw new QueryError('bad_data', `invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be Scalar or instant Vector`);
    const { evaluator, checkpoint, infos, stepEvaluator, resetSamples, data } = await this._prepare(expr, startMs, endMs, stepMs, c);
    const extra = infos.length ? { infos } : {};
    if (!this._opts.perStepOnly) {
      const full = stepGrid(startMs, endMs, stepMs);
      const grid = dataSteps(expr, data, full, this._opts.lookbackMs) ?? full;
      const sv = overBudget(() => stepEvaluator(grid).eval(expr));
      if (sv) return { resultType: 'matrix', series: sortSeries(matrixSeries(sv, grid, checkpoint)), ...extra };
      resetSamples();
    }
    const series = new Map<string, { labels: Labels; samples: ColumnsBuilder }>();
    for (let t = startMs; t <= endMs; t += stepMs) {
      const v = evaluator.eval(expr, t);
      const samples = v.type === 'scalar' ? [{ labels: labelsOf({}), value: v.value }] : v.type === 'vector' ? v.samples : [];
      checkpoint(samples.length);
      for (const s of samples) {
        const key = keyOf(s.labels);
        let entry = series.get(key);
        if (!entry) series.set(key, (entry = { labels: s.labels, samples: new ColumnsBuilder(8) }));
        entry.samples.push(t, s.value);
      }
    }
    return { resultType: 'matrix', series: sortSeries(Array.from(series.values(), (e) => ({ labels: e.labels, samples: e.samples.finish() }))), ...extra };
  }

  private async _prepare(expr: Expr, startMs: number, endMs: number, stepMs: number, c: QueryControls) {
    const deadline = Date.now() + (c.timeoutMs ?? this._opts.timeoutMs);
    let samples = 0;
    const checkpoint = (n: number): void => {
      if (c.signal?.aborted) throw new QueryError('canceled', 'query was canceled');
      if (Date.now() >= deadline) throw new QueryError('timeout', 'query timed out in expression evaluation');
      samples += n;
      if (samples > this._opts.maxSamples) throw new QueryError('execution', 'query processing would load too many samples into memory in query execution');
    };
    const ctx: EvalContext = { startMs, endMs, lookbackMs: this._opts.lookbackMs, defaultSubqueryStepMs: this._opts.defaultSubqueryStepMs, checkpoint };
    const data = new Map<VectorSelector, readonly SeriesData[]>();
    const resolutions = new Set<number>();
    let seriesCount = 0;
    for (const [sel, plan] of planSelectors(expr, { ...ctx, stepMs })) {
      checkpoint(0);
      const series = await selectCovering(this._storage, sel, plan, c.arena);
      seriesCount += series.length;
      if (seriesCount > this._opts.maxSeries) throw new QueryError('execution', `query would load more than ${this._opts.maxSeries} series (the query's series limit)`);
      let n = 0;
      for (const s of series) {
        n += s.samples.tMs.length;
        if (s.resolutionMs !== undefined) resolutions.add(s.resolutionMs);
      }
      checkpoint(n);
      data.set(sel, series);
    }
    const loadedSamples = samples;
    const infos = [...resolutions].sort((a, b) => a - b).map((ms) => `answered from the ${formatTier(ms)} rollup tier`);
    const evaluator = new Evaluator(data, ctx);
    // the step evaluator holds every step's values: at most as many cells as the query may hold samples
    const stepEvaluator = (grid: StepGrid): StepEvaluator => new StepEvaluator(data, ctx, grid, this._opts.maxSamples);
    return { evaluator, checkpoint, infos, stepEvaluator, resetSamples: () => (samples = loadedSamples), data };
  }
}

/** The step evaluation's value, or undefined when it went over its budget (the per-step evaluator then runs). */
function overBudget(run: () => StepValue): StepValue | undefined {
  try {
    return run();
  } catch (err) {
    if (err instanceof StepBudgetExceeded) return undefined;
    throw err;
  }
}

function formatTier(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** By label-set key (each key built once, not at every comparison). */
function sortSeries<T extends { labels: Labels }>(series: T[]): T[] {
  const keyed = series.map((s) => ({ s, key: labelsKey(s.labels) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : 1));
  return keyed.map((k) => k.s);
}

/**
 * Selects a selector's series; a rollup tier answering also returns two of its buckets before the
 * range, so the widened windows over rolled-up points (rollup-windows.ts) have their data.
 */
async function selectCovering(storage: Queryable, sel: VectorSelector, plan: SelectorPlan, arena: ColumnArena | undefined): Promise<readonly SeriesData[]> {
  return (await storage.querier(plan.minMs, plan.maxMs)).select(sel.matchers, { ...plan.hints, tierPadBuckets: 2, ...(arena ? { arena } : {}) });
}

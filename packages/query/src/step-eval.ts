/**
 * Evaluates an expression at every step of a query at once (Prometheus' range evaluation): a
 * selector's series are walked once with cursors that advance with the steps, range functions run
 * over the window without allocating (fn-window.ts), and labels-derived work (grouping, output
 * labels) is done once per series rather than once per step. Nodes without a step implementation
 * go through the per-step {@link Evaluator} (step-fallback.ts), which stays the reference: both
 * paths give identical results, which test/step-eval.test.ts checks on a table of queries.
 */
import { labelsOf } from '@fathom/model';
import type { SeriesData } from '@fathom/storage';
import type { At, Call, Expr, Subquery, VectorSelector } from './ast.js';
import { typeOf } from './ast.js';
import { firstAbove, freshSamples, isStale, resetsOf, upperBoundFrom } from './columns.js';
import type { EvalContext } from './evaluator.js';
import { windowFnFor } from './fn-window.js';
import { KEEPS_NAME } from './functions.js';
import { dropName, keyOf } from './memo.js';
import { coveredRangeMs, lookbackFor, scaleToAsked } from './rollup-windows.js';
import { stepAggregate } from './step-aggregate.js';
import { stepBinary } from './step-binary.js';
import { stepHistogramQuantile } from './step-histogram.js';
import { fallback } from './step-fallback.js';
import { newSeries, StepBudgetExceeded, zeroedFloat64 } from './step-value.js';
import type { StepGrid, StepSeries, StepValue, StepVector } from './step-value.js';

/** The series a range function windows over: a matrix selector's, or a subquery's inner results. */
interface WindowSource {
  readonly data: readonly SeriesData[];
  readonly at: At | undefined;
  readonly offsetMs: number;
  readonly rangeMs: number;
  /** Per-step order of a window's series (subqueries: by first inner step); absent: list order, and windows charge the sample budget. */
  readonly rankOf?: (k: number, lo: number) => number;
}

/** Range functions that add counter resets back (over many steps they use a per-series reset index). */
const COUNTER_FUNCTIONS = new Set(['rate', 'increase']);

export class StepEvaluator {
  constructor(
    private readonly _data: ReadonlyMap<VectorSelector, readonly SeriesData[]>,
    private readonly _ctx: EvalContext,
    readonly grid: StepGrid,
    private readonly _cellBudget: number,
  ) {}

  private _cells = 0;

  /** Accounts for `series` more series of step values; throws {@link StepBudgetExceeded} past the budget. */
  reserve(series: number): void {
    this._cells += series * this.grid.count;
    if (this._cells > this._cellBudget) throw new StepBudgetExceeded('step values over budget');
  }

  eval(e: Expr): StepValue {
    switch (e.kind) {
      case 'number':
        return { type: 'scalar', values: new Float64Array(this.grid.count).fill(e.value) };
      case 'vector':
        return this._selector(e);
      case 'call':
        return this._call(e) ?? this.generic(e);
      case 'aggregate':
        return stepAggregate(this, e) ?? this.generic(e);
      case 'binary':
        return stepBinary(this, e) ?? this.generic(e);
      case 'unary':
        return this._unary(e.op, e.expr) ?? this.generic(e);
      default:
        return this.generic(e);
    }
  }

  /** The node through the per-step evaluator, collected into step form. */
  generic(e: Expr): StepValue {
    return fallback(this._data, this._ctx, this, e, typeOf(e) === 'scalar');
  }

  timeAt(step: number): number {
    return this.grid.times[step]!;
  }

  checkpoint(samples: number): void {
    this._ctx.checkpoint(samples);
  }

  /** The time a selector reads at each step (`@` and offset applied), computed once per node rather than per series. */
  private _readTimes(at: At | undefined, offsetMs: number): Float64Array {
    const out = zeroedFloat64(this.grid.count);
    for (let t = 0; t < this.grid.count; t++) out[t] = this._time(at, this.timeAt(t)) - offsetMs;
    return out;
  }

  private _time(at: At | undefined, tMs: number): number {
    if (at === undefined) return tMs;
    if (at === 'start') return this._ctx.startMs;
    if (at === 'end') return this._ctx.endMs;
    return at.ms;
  }

  private _selector(sel: VectorSelector): StepVector {
    const steps = this.grid.count;
    const out: StepSeries[] = [];
    const data = this._data.get(sel) ?? [];
    this.reserve(data.length);
    const ats = this._readTimes(sel.at, sel.offsetMs);
    for (const s of data) {
      this.checkpoint(0); // deadline and cancellation between series
      const { tMs, values } = s.samples;
      const n = tMs.length;
      if (n === 0) continue;
      const lookbackMs = lookbackFor(s, this._ctx.lookbackMs);
      const series = newSeries(s.labels, steps);
      const lastTMs = tMs[n - 1]!;
      let cur = 0;
      let firstStep = -1;
      let endStep = 0;
      // read times never decrease: steps before the first sample read nothing, and once the last
      // sample is out of the lookback every later step reads nothing (a 7 d range over 6 h of data
      // skips ~95 % of its steps)
      for (let t = firstStepFrom(ats, tMs[0]!); t < steps; t++) {
        const at = ats[t]!;
        if (lastTMs <= at - lookbackMs) break;
        cur = upperBoundFrom(tMs, cur, at);
        const value = values[cur - 1]!;
        if (tMs[cur - 1]! <= at - lookbackMs || isStale(value)) continue;
        series.values[t] = value;
        series.present[t] = 1;
        if (firstStep < 0) firstStep = t;
        endStep = t + 1;
      }
      if (firstStep >= 0) out.push({ ...series, firstStep, endStep });
    }
    return { type: 'vector', series: out };
  }

  private _call(e: Call): StepValue | undefined {
    if (e.func === 'histogram_quantile') return this._histogramQuantile(e);
    const fn = windowFnFor(e.func);
    const matrix = e.args.find((a) => a.kind === 'matrix' || a.kind === 'subquery');
    if (!fn || !matrix || (matrix.kind !== 'matrix' && matrix.kind !== 'subquery')) return undefined;
    const params: number[] = [];
    for (const a of e.args) {
      if (a === matrix) continue;
      if (a.kind !== 'number') return undefined;
      params.push(a.value);
    }
    const src: WindowSource | undefined = matrix.kind === 'matrix' ? { data: this._data.get(matrix.vector) ?? [], at: matrix.vector.at, offsetMs: matrix.vector.offsetMs, rangeMs: matrix.rangeMs } : this._subquery(matrix);
    if (!src) return undefined;
    const data = src.data;
    const keepName = KEEPS_NAME.has(e.func);
    const labels = data.map((s) => (keepName ? s.labels : dropName(s.labels)));
    if (new Set(labels.map(keyOf)).size !== labels.length) return undefined; // duplicates: the per-step path reports them
    const steps = this.grid.count;
    this.reserve(data.length);
    const rangeMs = src.rangeMs;
    const out: StepSeries[] = [];
    const ranks: Float64Array[] = [];
    const ends = this._readTimes(src.at, src.offsetMs);
    data.forEach((s, k) => {
      const c = freshSamples(s);
      const resets = steps > 1 && COUNTER_FUNCTIONS.has(e.func) ? resetsOf(c) : undefined;
      const coveredMs = coveredRangeMs(s, rangeMs);
      const series = newSeries(labels[k]!, steps);
      const rank = src.rankOf ? zeroedFloat64(steps) : undefined;
      let lo = 0;
      let hi = 0;
      let loaded = 0;
      const n = c.tMs.length;
      // as in _selector: no window before the first sample ends, none after the last leaves it
      let firstStep = -1;
      let endStep = 0;
      for (let t = n === 0 ? steps : firstStepFrom(ends, c.tMs[0]!); t < steps; t++) {
        const end = ends[t]!;
        if (c.tMs[n - 1]! <= end - coveredMs) break;
        lo = upperBoundFrom(c.tMs, lo, end - coveredMs);
        hi = upperBoundFrom(c.tMs, Math.max(lo, hi), end);
        if (hi === lo) continue;
        loaded += hi - lo;
        const v = fn(c, lo, hi, end - coveredMs, end, params, resets);
        if (v === undefined) continue;
        series.values[t] = scaleToAsked(e.func, v, rangeMs, coveredMs);
        series.present[t] = 1;
        if (firstStep < 0) firstStep = t;
        endStep = t + 1;
        if (rank) rank[t] = src.rankOf!(k, lo);
      }
      if (src.rankOf === undefined) this.checkpoint(loaded);
      if (firstStep >= 0) {
        out.push({ ...series, firstStep, endStep });
        if (rank) ranks.push(rank);
      }
    });
    return src.rankOf ? { type: 'vector', series: out, ranks } : { type: 'vector', series: out };
  }

  /**
   * A subquery's inner expression evaluated once at every inner step any outer step needs (they
   * are aligned to the subquery's step, so outer windows share them), as series to window over.
   * The sample budget is charged as the per-step path charges it (every outer step's inner steps).
   */
  private _subquery(sq: Subquery): WindowSource | undefined {
    const type = typeOf(sq.expr);
    if (type !== 'vector' && type !== 'scalar') return undefined;
    const stepMs = sq.stepMs > 0 ? sq.stepMs : this._ctx.defaultSubqueryStepMs;
    const ends = Array.from(this.grid.times, (t) => this._time(sq.at, t) - sq.offsetMs);
    // at most this many inner steps: past the cell budget, the per-step path (and its deadline) takes it
    const span = (Math.max(...ends) - Math.min(...ends) + sq.rangeMs) / stepMs + 1;
    if (Math.min(span, ends.length * (sq.rangeMs / stepMs + 1)) > this._cellBudget - this._cells) throw new StepBudgetExceeded('subquery steps over budget');
    const needed = new Set<number>();
    for (const endMs of ends) {
      const startMs = endMs - sq.rangeMs;
      let t = Math.floor(startMs / stepMs) * stepMs;
      if (t <= startMs) t += stepMs;
      for (; t <= endMs; t += stepMs) needed.add(t);
    }
    const times = Float64Array.from([...needed].sort((a, b) => a - b));
    const inner = new StepEvaluator(this._data, this._ctx, { times, count: times.length }, this._cellBudget - this._cells).eval(sq.expr);
    const series = inner.type === 'scalar' ? [{ labels: labelsOf({}), values: inner.values, present: new Uint8Array(times.length).fill(1) }] : inner.series;
    if (new Set(series.map((s) => keyOf(s.labels))).size !== series.length) return undefined; // one label set from several series: the per-step path merges them
    // charge the budget: per outer step, the inner samples of its window
    const presentAt = new Float64Array(times.length + 1);
    for (const s of series) for (let i = 0; i < times.length; i++) presentAt[i + 1]! += s.present[i]!;
    for (let i = 0; i < times.length; i++) presentAt[i + 1] = presentAt[i + 1]! + presentAt[i]!;
    for (const endMs of ends) this.checkpoint(presentAt[firstAbove(times, endMs)]! - presentAt[firstAbove(times, endMs - sq.rangeMs)]!);
    const innerIdx: Int32Array[] = [];
    const data = series.map((s): SeriesData => {
      let n = 0;
      for (let i = 0; i < times.length; i++) n += s.present[i]!;
      const tMs = new Float64Array(n);
      const values = new Float64Array(n);
      const idx = new Int32Array(n);
      for (let i = 0, k = 0; i < times.length; i++) {
        if (s.present[i] === 0) continue;
        tMs[k] = times[i]!;
        values[k] = s.values[i]!;
        idx[k++] = i;
      }
      innerIdx.push(idx);
      return { labels: s.labels, samples: { tMs, values } };
    });
    const innerRanks = inner.type === 'vector' ? inner.ranks : undefined;
    // the per-step path lists a window's series by first inner step, then by order within it
    const rankOf = (k: number, lo: number): number => {
      const i = innerIdx[k]![lo]!;
      return i * 2 ** 32 + (innerRanks ? innerRanks[k]![i]! : k);
    };
    return { data, at: sq.at, offsetMs: sq.offsetMs, rangeMs: sq.rangeMs, rankOf };
  }

  private _histogramQuantile(e: Call): StepValue | undefined {
    const [a0, a1] = e.args;
    if (!a0 || !a1 || e.args.length !== 2 || typeOf(a0) !== 'scalar' || typeOf(a1) !== 'vector') return undefined;
    const q = this.eval(a0);
    const child = this.eval(a1);
    if (q.type !== 'scalar' || child.type !== 'vector') return undefined;
    this.reserve(child.series.length);
    return stepHistogramQuantile(q, child, this.grid.count);
  }

  private _unary(op: '-' | '+', expr: Expr): StepValue | undefined {
    const type = typeOf(expr);
    if (type !== 'scalar' && type !== 'vector') return undefined;
    const v = this.eval(expr);
    if (op === '+') return v;
    if (v.type === 'scalar') return { type: 'scalar', values: v.values.map((x) => -x) };
    this.reserve(v.series.length);
    const series = v.series.map((s): StepSeries => ({ labels: dropName(s.labels), values: s.values.map((x) => -x), present: s.present }));
    return v.ranks ? { type: 'vector', series, ranks: v.ranks } : { type: 'vector', series };
  }
}


/** The first step whose read time is at or after `tMs` (`ats` ascending). */
function firstStepFrom(ats: Float64Array, tMs: number): number {
  let lo = 0;
  let hi = ats.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ats[mid]! < tMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The steps of a range query that can hold a value. When every sample an expression outputs needs
 * a selected sample at its step ({@link dataBound}), a step whose selector windows all miss the
 * selected data outputs nothing, so the step evaluator may run on the steps from the first sample
 * to where the last one leaves every window, and give the same answer. A 7 d dashboard range at
 * 10 m steps over a few hours of data has 1,008 steps and ~40 such: every per-step array,
 * aggregation cell and output loop then covers those (their fresh pages were most of the time of
 * an aggregation over the full grid). Pure: the AST, the selected data and the grid.
 */
import type { SeriesData } from '@fathom/storage';
import type { Expr, VectorSelector } from './ast.js';
import { typeOf } from './ast.js';
import { DATE_FUNCTIONS, MATH_FUNCTIONS } from './fn-math.js';
import { RANGE_FUNCTIONS } from './fn-range.js';
import { coveredRangeMs, lookbackFor } from './rollup-windows.js';
import type { StepGrid } from './step-value.js';

/** Functions that output a sample only where their vector or range-vector argument has one. */
const BOUND_CALLS = new Set<string>([
  ...Object.keys(RANGE_FUNCTIONS).filter((f) => f !== 'absent_over_time'),
  ...Object.keys(MATH_FUNCTIONS),
  'timestamp', 'sort', 'sort_desc', 'histogram_quantile', 'label_replace', 'label_join', 'clamp', 'clamp_min', 'clamp_max', 'round',
  'quantile_over_time', 'predict_linear', 'holt_winters', 'double_exponential_smoothing',
]);

/**
 * True when every output sample of `e` at a step needs a sample of one of its selectors in that
 * step's window. False for anything that outputs without data (numbers, time(), vector(),
 * absent…, date functions of the clock), for an aggregation whose parameter is not a literal (it
 * may fail where there is no data) and, to keep the reasoning local, for offsets, `@` and
 * subqueries (their windows are not the step's).
 */
export function dataBound(e: Expr): boolean {
  switch (e.kind) {
    case 'vector':
      return e.offsetMs === 0 && e.at === undefined;
    case 'matrix':
      return dataBound(e.vector);
    case 'unary':
      return dataBound(e.expr);
    case 'aggregate':
      // topk(scalar(x), …) fails at a step where x has no sample, data or not: a literal cannot
      return (e.param === undefined || e.param.kind === 'number' || e.param.kind === 'string') && dataBound(e.expr);
    case 'call': {
      const dated = e.func in DATE_FUNCTIONS;
      if (!BOUND_CALLS.has(e.func) && !dated) return false;
      const arg = e.args.find((a) => typeOf(a) === 'vector' || typeOf(a) === 'matrix');
      return arg !== undefined && dataBound(arg);
    }
    case 'binary': {
      const l = typeOf(e.lhs) === 'vector';
      const r = typeOf(e.rhs) === 'vector';
      if (l && r) {
        if (e.op === 'or') return dataBound(e.lhs) && dataBound(e.rhs);
        if (e.op === 'unless') return dataBound(e.lhs);
        return dataBound(e.lhs) || dataBound(e.rhs); // both sides must match
      }
      if (l) return dataBound(e.lhs);
      if (r) return dataBound(e.rhs);
      return false;
    }
    default:
      return false;
  }
}

/** Every selector of `e` with the window a step reads it over (a range, or the lookback). */
function selectorWindows(e: Expr, lookbackMs: number, out: Map<VectorSelector, number>): void {
  switch (e.kind) {
    case 'vector':
      out.set(e, Math.max(out.get(e) ?? 0, lookbackMs));
      return;
    case 'matrix':
      out.set(e.vector, Math.max(out.get(e.vector) ?? 0, e.rangeMs));
      return;
    case 'subquery':
    case 'unary':
    case 'aggregate':
      selectorWindows(e.expr, lookbackMs, out);
      if (e.kind === 'aggregate' && e.param) selectorWindows(e.param, lookbackMs, out);
      return;
    case 'call':
      for (const a of e.args) selectorWindows(a, lookbackMs, out);
      return;
    case 'binary':
      selectorWindows(e.lhs, lookbackMs, out);
      selectorWindows(e.rhs, lookbackMs, out);
      return;
    default:
      return;
  }
}

/**
 * The steps of `grid` that can hold a value of `e`, as a grid of their own (possibly empty); undefined
 * when every step can (the expression is not data-bound, or the data spans the grid).
 */
export function dataSteps(e: Expr, data: ReadonlyMap<VectorSelector, readonly SeriesData[]>, grid: StepGrid, lookbackMs: number): StepGrid | undefined {
  if (grid.count < 2 || !dataBound(e)) return undefined;
  const windows = new Map<VectorSelector, number>();
  selectorWindows(e, lookbackMs, windows);
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const [sel, windowMs] of windows) {
    for (const s of data.get(sel) ?? []) {
      const { tMs } = s.samples;
      if (tMs.length === 0) continue;
      // a step t reads samples in (t − window, t]; over a tier's points the window is widened (rollup-windows.ts)
      const covered = Math.max(lookbackFor(s, windowMs), coveredRangeMs(s, windowMs));
      fromMs = Math.min(fromMs, tMs[0]!);
      toMs = Math.max(toMs, tMs[tMs.length - 1]! + covered);
    }
  }
  const times = grid.times;
  let lo = 0;
  while (lo < grid.count && times[lo]! < fromMs) lo++;
  let hi = grid.count;
  while (hi > lo && times[hi - 1]! > toMs) hi--;
  if (lo === 0 && hi === grid.count) return undefined;
  return { times: times.subarray(lo, hi), count: hi - lo };
}

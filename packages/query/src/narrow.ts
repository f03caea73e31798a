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
import { coveredRangeMs } from './rollup-windows.js';
import type { StepGrid } from './step-value.js';

/** Functions that output a sample only where their vector or range-vector argument has one. */
const BOUND_CALLS = new Set<string>([
  ...Object.keys(RANGE_FUNCTIONS).filter((f) => f !== 'absent_over_time'),
  ...Object.keys(MATH_FUNCTIONS),
  'timestamp', 'sort', 'sort_desc', 'histogram_quantile', 'label_replace', 'label_join', 'clamp', 'clamp_min', 'clamp_max', 'round',
  'quantile_over_time', 'predict_linear', 'holt_winters', 'double_exponential_smoothing',
]);

/**
 * True when, at a step where no selector of `e` has a sample in its window, `e` outputs nothing
 * and raises nothing: every vector operand is data-bound too (each is evaluated at every step, so
 * the other side of `x and topk(scalar(y), y)` could fail there), scalar operands and parameters
 * are constants, and nothing outputs without data (numbers alone, time(), vector(), absent…,
 * date functions of the clock). Offsets, `@` and subqueries make it false, which keeps the
 * reasoning local (their windows are not the step's). Errors that need no data at all
 * (`label_replace` with a bad label name, `topk(NaN, …)`) are raised at any step, so by the steps
 * kept too.
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
      return (e.param === undefined || constant(e.param)) && dataBound(e.expr);
    case 'call': {
      if (!BOUND_CALLS.has(e.func) && !(e.func in DATE_FUNCTIONS)) return false;
      const data = e.args.filter((a) => typeOf(a) === 'vector' || typeOf(a) === 'matrix');
      return data.length === 1 && data.every(dataBound) && e.args.every((a) => data.includes(a) || constant(a));
    }
    case 'binary': {
      const l = typeOf(e.lhs) === 'vector';
      const r = typeOf(e.rhs) === 'vector';
      if (!l && !r) return false;
      return (l ? dataBound(e.lhs) : constant(e.lhs)) && (r ? dataBound(e.rhs) : constant(e.rhs));
    }
    default:
      return false;
  }
}

/** A number or string the same at every step, without data (literals and arithmetic on them). */
function constant(e: Expr): boolean {
  switch (e.kind) {
    case 'number':
    case 'string':
      return true;
    case 'unary':
      return constant(e.expr);
    case 'binary':
      return constant(e.lhs) && constant(e.rhs);
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
 * The steps of `grid` that can hold a value of `e`, as a grid of their own; undefined when every
 * step can (the expression is not data-bound, or the data spans the grid). With no data in the
 * range, its first step alone: evaluated, it outputs nothing but raises what needs no data.
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
      // a step t reads samples in (t − window, t]; over a tier's points the window is widened to two
      // buckets for range functions (rollup-windows.ts), one for the lookback: the wider of both
      const covered = coveredRangeMs(s, windowMs);
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
  if (lo === hi) return { times: times.subarray(0, 1), count: 1 };
  return { times: times.subarray(lo, hi), count: hi - lo };
}

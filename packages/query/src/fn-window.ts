/**
 * Range functions over a window of columns, samples [lo, hi), without allocating: the step
 * evaluator's counterpart of fn-range.ts. Every function here performs the same floating-point
 * operations in the same order as its fn-range.ts twin, so both paths give bit-identical results;
 * functions not written here go through fn-range.ts on a materialised window.
 */
import type { Sample } from '@fathom/model';
import type { FreshColumns } from './columns.js';
import { extrapolate, RANGE_FUNCTIONS } from './fn-range.js';
import type { RangeFn } from './fn-range.js';

/** A window function: columns, [lo, hi) (hi > lo), the (widened) window bounds and the call's params. */
export type WindowFn = (c: FreshColumns, lo: number, hi: number, startMs: number, endMs: number, params: readonly number[]) => number | undefined;

export const WINDOW_FUNCTIONS: Readonly<Record<string, WindowFn>> = {
  rate: (c, lo, hi, s, e) => rateOf(c, lo, hi, s, e, true, true),
  increase: (c, lo, hi, s, e) => rateOf(c, lo, hi, s, e, true, false),
  delta: (c, lo, hi, s, e) => rateOf(c, lo, hi, s, e, false, false),
  irate: (c, lo, hi) => lastTwo(c, lo, hi, true),
  idelta: (c, lo, hi) => lastTwo(c, lo, hi, false),
  count_over_time: (_c, lo, hi) => hi - lo,
  present_over_time: () => 1,
  last_over_time: (c, _lo, hi) => c.values[hi - 1],
  sum_over_time: (c, lo, hi) => kahanSum(c.values, lo, hi),
  avg_over_time: (c, lo, hi) => kahanSum(c.values, lo, hi) / (hi - lo),
  min_over_time: (c, lo, hi) => extreme(c.values, lo, hi, false),
  max_over_time: (c, lo, hi) => extreme(c.values, lo, hi, true),
};

/** The window function for `func`: a cursor-native one, or the fn-range.ts one on a materialised window. */
export function windowFnFor(func: string): WindowFn | undefined {
  const native = WINDOW_FUNCTIONS[func];
  if (native) return native;
  const fn = RANGE_FUNCTIONS[func];
  return fn ? materialised(fn) : undefined;
}

function materialised(fn: RangeFn): WindowFn {
  return (c, lo, hi, startMs, endMs, params) => {
    const samples: Sample[] = [];
    for (let i = lo; i < hi; i++) samples.push({ tMs: c.tMs[i]!, value: c.values[i]! });
    return fn({ samples, startMs, endMs }, params);
  };
}

function rateOf(c: FreshColumns, lo: number, hi: number, startMs: number, endMs: number, isCounter: boolean, isRate: boolean): number | undefined {
  if (hi - lo < 2) return undefined;
  const v = c.values;
  let result = v[hi - 1]! - v[lo]!;
  if (isCounter && c.resets.length > 0) {
    const resets = c.resets;
    for (let r = firstAbove(resets, lo); r < resets.length && resets[r]! < hi; r++) result += v[resets[r]! - 1]!;
  }
  return extrapolate(result, c.tMs[lo]!, v[lo]!, c.tMs[hi - 1]!, hi - lo, startMs, endMs, isCounter, isRate);
}

/** First position in `sorted` whose value is > x. */
function firstAbove(sorted: Int32Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lastTwo(c: FreshColumns, lo: number, hi: number, isRate: boolean): number | undefined {
  if (hi - lo < 2) return undefined;
  const last = c.values[hi - 1]!;
  const prev = c.values[hi - 2]!;
  const dv = isRate && last < prev ? last : last - prev;
  if (!isRate) return dv;
  const dt = (c.tMs[hi - 1]! - c.tMs[hi - 2]!) / 1000;
  return dt === 0 ? undefined : dv / dt;
}

function kahanSum(values: Float64Array, lo: number, hi: number): number {
  let sum = 0;
  let c = 0;
  for (let i = lo; i < hi; i++) {
    const v = values[i]!;
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  return Number.isFinite(sum) ? sum + c : sum;
}

function extreme(values: Float64Array, lo: number, hi: number, max: boolean): number {
  let best = values[lo]!;
  for (let i = lo; i < hi; i++) {
    const v = values[i]!;
    if (Number.isNaN(best) || (max ? v > best : v < best)) best = v;
  }
  return best;
}

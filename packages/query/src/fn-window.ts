/**
 * Range functions over a window of a series' samples, [lo, hi), without allocating: the step
 * evaluator's counterpart of fn-range.ts. Every function here performs the same floating-point
 * operations in the same order as its fn-range.ts twin, so both paths give bit-identical results;
 * functions not written here go through fn-range.ts on a materialised window.
 */
import { sliceColumns } from '@fathom/storage';
import type { SampleColumns } from '@fathom/storage';
import { extrapolate, RANGE_FUNCTIONS } from './fn-range.js';
import { firstAbove } from './columns.js';
import type { RangeFn } from './fn-range.js';

/**
 * A window function: samples [lo, hi) (hi > lo) of a series, the (widened) window bounds, the call's
 * params, and the series' counter resets when computed (resetsOf; rate/increase loop otherwise).
 */
export type WindowFn = (c: SampleColumns, lo: number, hi: number, startMs: number, endMs: number, params: readonly number[], resets: Int32Array | undefined) => number | undefined;

export const WINDOW_FUNCTIONS: Readonly<Record<string, WindowFn>> = {
  rate: (c, lo, hi, s, e, _p, resets) => rateOf(c, lo, hi, s, e, true, true, resets),
  increase: (c, lo, hi, s, e, _p, resets) => rateOf(c, lo, hi, s, e, true, false, resets),
  delta: (c, lo, hi, s, e) => rateOf(c, lo, hi, s, e, false, false, undefined),
  irate: (c, lo, hi) => lastTwo(c, lo, hi, true),
  idelta: (c, lo, hi) => lastTwo(c, lo, hi, false),
  count_over_time: (_c, lo, hi) => hi - lo,
  present_over_time: () => 1,
  last_over_time: (c, _lo, hi) => c.values[hi - 1]!,
  sum_over_time: (c, lo, hi) => kahanSum(c, lo, hi),
  avg_over_time: (c, lo, hi) => kahanSum(c, lo, hi) / (hi - lo),
  min_over_time: (c, lo, hi) => extreme(c, lo, hi, false),
  max_over_time: (c, lo, hi) => extreme(c, lo, hi, true),
};

/** The window function for `func`: a cursor-native one, or the fn-range.ts one on a materialised window. */
export function windowFnFor(func: string): WindowFn | undefined {
  const native = WINDOW_FUNCTIONS[func];
  if (native) return native;
  const fn = RANGE_FUNCTIONS[func];
  return fn ? materialised(fn) : undefined;
}

function materialised(fn: RangeFn): WindowFn {
  return (c, lo, hi, startMs, endMs, params) => fn({ samples: sliceColumns(c, lo, hi), startMs, endMs }, params);
}

function rateOf(c: SampleColumns, lo: number, hi: number, startMs: number, endMs: number, isCounter: boolean, isRate: boolean, resets: Int32Array | undefined): number | undefined {
  if (hi - lo < 2) return undefined;
  const v = c.values;
  const firstValue = v[lo]!;
  let result = v[hi - 1]! - firstValue;
  if (isCounter && resets) {
    for (let r = firstAbove(resets, lo); r < resets.length && resets[r]! < hi; r++) result += v[resets[r]! - 1]!;
  } else if (isCounter) {
    for (let i = lo + 1; i < hi; i++) {
      const prev = v[i - 1]!;
      if (v[i]! < prev) result += prev;
    }
  }
  return extrapolate(result, c.tMs[lo]!, firstValue, c.tMs[hi - 1]!, hi - lo, startMs, endMs, isCounter, isRate);
}

function lastTwo(c: SampleColumns, lo: number, hi: number, isRate: boolean): number | undefined {
  if (hi - lo < 2) return undefined;
  const last = c.values[hi - 1]!;
  const prev = c.values[hi - 2]!;
  const dv = isRate && last < prev ? last : last - prev;
  if (!isRate) return dv;
  const dt = (c.tMs[hi - 1]! - c.tMs[hi - 2]!) / 1000;
  return dt === 0 ? undefined : dv / dt;
}

function kahanSum(c: SampleColumns, lo: number, hi: number): number {
  const values = c.values;
  let sum = 0;
  let comp = 0;
  for (let i = lo; i < hi; i++) {
    const v = values[i]!;
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) comp += sum - t + v;
    else comp += v - t + sum;
    sum = t;
  }
  return Number.isFinite(sum) ? sum + comp : sum;
}

function extreme(c: SampleColumns, lo: number, hi: number, max: boolean): number {
  const values = c.values;
  let best = values[lo]!;
  for (let i = lo; i < hi; i++) {
    const v = values[i]!;
    if (Number.isNaN(best) || (max ? v > best : v < best)) best = v;
  }
  return best;
}

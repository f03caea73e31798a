/**
 * Range functions over a window of a series' samples, [lo, hi), without allocating: the step
 * evaluator's counterpart of fn-range.ts. Every function here performs the same floating-point
 * operations in the same order as its fn-range.ts twin, so both paths give bit-identical results;
 * functions not written here go through fn-range.ts on a materialised window.
 */
import type { Sample } from '@fathom/model';
import { extrapolate, RANGE_FUNCTIONS } from './fn-range.js';
import { firstAbove } from './columns.js';
import type { RangeFn } from './fn-range.js';

/**
 * A window function: samples [lo, hi) (hi > lo) of a series, the (widened) window bounds, the call's
 * params, and the series' counter resets when computed (resetsOf; rate/increase loop otherwise).
 */
export type WindowFn = (c: readonly Sample[], lo: number, hi: number, startMs: number, endMs: number, params: readonly number[], resets: Int32Array | undefined) => number | undefined;

export const WINDOW_FUNCTIONS: Readonly<Record<string, WindowFn>> = {
  rate: (c, lo, hi, s, e, _p, resets) => rateOf(c, lo, hi, s, e, true, true, resets),
  increase: (c, lo, hi, s, e, _p, resets) => rateOf(c, lo, hi, s, e, true, false, resets),
  delta: (c, lo, hi, s, e) => rateOf(c, lo, hi, s, e, false, false, undefined),
  irate: (c, lo, hi) => lastTwo(c, lo, hi, true),
  idelta: (c, lo, hi) => lastTwo(c, lo, hi, false),
  count_over_time: (_c, lo, hi) => hi - lo,
  present_over_time: () => 1,
  last_over_time: (c, _lo, hi) => c[hi - 1]!.value,
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
  return (c, lo, hi, startMs, endMs, params) => fn({ samples: lo === 0 && hi === c.length ? c : c.slice(lo, hi), startMs, endMs }, params);
}

function rateOf(c: readonly Sample[], lo: number, hi: number, startMs: number, endMs: number, isCounter: boolean, isRate: boolean, resets: Int32Array | undefined): number | undefined {
  if (hi - lo < 2) return undefined;
  const first = c[lo]!;
  const last = c[hi - 1]!;
  let result = last.value - first.value;
  if (isCounter && resets) {
    for (let r = firstAbove(resets, lo); r < resets.length && resets[r]! < hi; r++) result += c[resets[r]! - 1]!.value;
  } else if (isCounter) {
    for (let i = lo + 1; i < hi; i++) {
      const prev = c[i - 1]!.value;
      if (c[i]!.value < prev) result += prev;
    }
  }
  return extrapolate(result, first.tMs, first.value, last.tMs, hi - lo, startMs, endMs, isCounter, isRate);
}


function lastTwo(c: readonly Sample[], lo: number, hi: number, isRate: boolean): number | undefined {
  if (hi - lo < 2) return undefined;
  const last = c[hi - 1]!;
  const prev = c[hi - 2]!;
  const dv = isRate && last.value < prev.value ? last.value : last.value - prev.value;
  if (!isRate) return dv;
  const dt = (last.tMs - prev.tMs) / 1000;
  return dt === 0 ? undefined : dv / dt;
}

function kahanSum(c: readonly Sample[], lo: number, hi: number): number {
  let sum = 0;
  let comp = 0;
  for (let i = lo; i < hi; i++) {
    const v = c[i]!.value;
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) comp += sum - t + v;
    else comp += v - t + sum;
    sum = t;
  }
  return Number.isFinite(sum) ? sum + comp : sum;
}

function extreme(c: readonly Sample[], lo: number, hi: number, max: boolean): number {
  let best = c[lo]!.value;
  for (let i = lo; i < hi; i++) {
    const v = c[i]!.value;
    if (Number.isNaN(best) || (max ? v > best : v < best)) best = v;
  }
  return best;
}

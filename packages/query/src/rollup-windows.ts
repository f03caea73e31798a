/**
 * Windows over rolled-up series. A series answered from a rollup tier (`resolutionMs` set) has one
 * point per bucket, stamped at the bucket's start. Windows written for raw data (5m lookback,
 * `rate(x[5m])`) would often hold no point, or one, over 10m or 1h buckets and return gaps; so over a
 * tier an instant selector looks back at least one bucket, and a range function sees at least two
 * buckets. Functions whose result grows with the window (increase, delta, sum and count over time)
 * are scaled back to the window the query asked for; per-second rates and the value-shaped
 * functions (avg, min, max, last, quantile…) need no scaling. The API's `infos` says which tier
 * answered, so the approximation is visible.
 */
import type { SeriesData } from '@fathom/storage';
import type { RangeFn } from './fn-range.js';

/** Results that grow with the window's length. */
const EXTENSIVE = new Set(['increase', 'delta', 'sum_over_time', 'count_over_time', 'changes', 'resets']);

export function lookbackFor(s: SeriesData, lookbackMs: number): number {
  return s.resolutionMs === undefined ? lookbackMs : Math.max(lookbackMs, s.resolutionMs);
}

export function coveredRangeMs(s: SeriesData, rangeMs: number): number {
  return s.resolutionMs === undefined ? rangeMs : Math.max(rangeMs, 2 * s.resolutionMs);
}

/** Runs a range function over one series' window, widened and scaled back when it is a rollup. */
export function evalRangeFn(func: string, fn: RangeFn, s: SeriesData, m: { readonly startMs: number; readonly endMs: number }, params: readonly number[]): number | undefined {
  const askedMs = m.endMs - m.startMs;
  const coveredMs = coveredRangeMs(s, askedMs);
  const v = fn({ samples: s.samples, startMs: m.endMs - coveredMs, endMs: m.endMs }, params);
  return v === undefined ? v : scaleToAsked(func, v, askedMs, coveredMs);
}

/** A range function's result over a widened window, scaled back to the window asked for. */
export function scaleToAsked(func: string, v: number, askedMs: number, coveredMs: number): number {
  if (coveredMs === askedMs || !EXTENSIVE.has(func)) return v;
  return (v * askedMs) / coveredMs;
}

/**
 * A selected series' samples as the step evaluator reads them: cursors over the sample columns the
 * store returned (no copy), the staleness-free view range vectors see (a copy only when the series
 * has markers), and the positions of counter resets (for rate/increase over many steps).
 */
import { isStaleMarker } from '@fathom/model';
import { ColumnsBuilder } from '@fathom/storage';
import type { SampleColumns, SeriesData } from '@fathom/storage';

const freshCache = new WeakMap<SeriesData, SampleColumns>();
const resetCache = new WeakMap<SampleColumns, Int32Array>();

export function isStale(value: number): boolean {
  return value !== value && isStaleMarker(value);
}

/** The samples range vectors see: staleness markers dropped (the same columns when there are none). */
export function freshSamples(s: SeriesData): SampleColumns {
  let fresh = freshCache.get(s);
  if (!fresh) {
    fresh = withoutStale(s.samples);
    freshCache.set(s, fresh);
  }
  return fresh;
}

/** `c` without its staleness markers: `c` itself when it has none, else a copy. */
export function withoutStale(c: SampleColumns): SampleColumns {
  const { tMs, values } = c;
  const n = values.length;
  let i = 0;
  while (i < n && !isStale(values[i]!)) i++;
  if (i === n) return c;
  const out = new ColumnsBuilder(n - 1);
  out.pushRange(c, 0, i);
  for (; i < n; i++) if (!isStale(values[i]!)) out.push(tMs[i]!, values[i]!);
  return out.finish();
}

/** Indices i (ascending) where values[i] < values[i - 1], computed once per columns object. */
export function resetsOf(c: SampleColumns): Int32Array {
  let r = resetCache.get(c);
  if (!r) {
    const v = c.values;
    const out: number[] = [];
    for (let i = 1; i < v.length; i++) if (v[i]! < v[i - 1]!) out.push(i);
    r = Int32Array.from(out);
    resetCache.set(c, r);
  }
  return r;
}

/** First index of an ascending array whose value is > x. */
export function firstAbove(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in [from, length) of the ascending times `tMs` whose time is > t. */
export function upperBoundFrom(tMs: Float64Array, from: number, t: number): number {
  let lo = from;
  const hi0 = tMs.length;
  // short scans are the common case when a cursor moves by a step
  while (lo < hi0 && lo - from < 8) {
    if (tMs[lo]! > t) return lo;
    lo++;
  }
  let hi = hi0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tMs[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

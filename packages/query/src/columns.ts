/**
 * A selected series' samples as columns (Float64Array pairs), built once per series and query and
 * cached per SeriesData object. The step evaluator walks these with cursors instead of slicing
 * Sample arrays at every step.
 */
import { isStaleMarker } from '@fathom/model';
import type { SeriesData } from '@fathom/storage';

export interface Columns {
  readonly tMs: Float64Array;
  readonly values: Float64Array;
  readonly length: number;
  /** Per sample, 1 for a staleness marker; absent when the series has none. */
  readonly stale: Uint8Array | undefined;
}

/** The series' samples without staleness markers, plus its counter resets (for rate/increase). */
export interface FreshColumns extends Columns {
  /** Indices i (ascending) where values[i] < values[i - 1]. */
  readonly resets: Int32Array;
}

const rawCache = new WeakMap<SeriesData, Columns>();
const freshCache = new WeakMap<SeriesData, FreshColumns>();

/** Every sample, staleness markers flagged (instant selectors stop at them). */
export function rawColumns(s: SeriesData): Columns {
  let c = rawCache.get(s);
  if (!c) {
    const n = s.samples.length;
    const tMs = new Float64Array(n);
    const values = new Float64Array(n);
    let stale: Uint8Array | undefined;
    for (let i = 0; i < n; i++) {
      const p = s.samples[i]!;
      tMs[i] = p.tMs;
      values[i] = p.value;
      if (p.value !== p.value && isStaleMarker(p.value)) (stale ??= new Uint8Array(n))[i] = 1;
    }
    c = { tMs, values, length: n, stale };
    rawCache.set(s, c);
  }
  return c;
}

/** The samples range vectors see: staleness markers dropped. */
export function freshColumns(s: SeriesData): FreshColumns {
  let c = freshCache.get(s);
  if (!c) {
    const raw = rawColumns(s);
    let { tMs, values } = raw;
    let n = raw.length;
    if (raw.stale) {
      const keep = raw.stale;
      tMs = tMs.filter((_, i) => keep[i] === 0);
      values = values.filter((_, i) => keep[i] === 0);
      n = tMs.length;
    }
    const resets: number[] = [];
    for (let i = 1; i < n; i++) if (values[i]! < values[i - 1]!) resets.push(i);
    c = { tMs, values, length: n, stale: undefined, resets: Int32Array.from(resets) };
    freshCache.set(s, c);
  }
  return c;
}

/** First index in [from, length) whose time is > t (the columns are in time order). */
export function upperBoundFrom(tMs: Float64Array, length: number, from: number, t: number): number {
  let lo = from;
  let hi = length;
  // short scans are the common case when a cursor moves by a step
  while (lo < hi && lo - from < 8) {
    if (tMs[lo]! > t) return lo;
    lo++;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tMs[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A selected series' samples as the step evaluator reads them: cursors over the Sample arrays the
 * store returned (no copy), the staleness-free view range vectors see (a copy only when the series
 * has markers), and the positions of counter resets (for rate/increase over many steps).
 */
import { isStaleMarker } from '@fathom/model';
import type { Sample } from '@fathom/model';
import type { SeriesData } from '@fathom/storage';

const freshCache = new WeakMap<SeriesData, readonly Sample[]>();
const resetCache = new WeakMap<readonly Sample[], Int32Array>();

export function isStale(value: number): boolean {
  return value !== value && isStaleMarker(value);
}

/** The samples range vectors see: staleness markers dropped (the same array when there are none). */
export function freshSamples(s: SeriesData): readonly Sample[] {
  let fresh = freshCache.get(s);
  if (!fresh) {
    fresh = s.samples;
    for (const p of s.samples) {
      if (isStale(p.value)) {
        fresh = s.samples.filter((q) => !isStale(q.value));
        break;
      }
    }
    freshCache.set(s, fresh);
  }
  return fresh;
}

/** Indices i (ascending) where samples[i].value < samples[i - 1].value, computed once per array. */
export function resetsOf(samples: readonly Sample[]): Int32Array {
  let r = resetCache.get(samples);
  if (!r) {
    const out: number[] = [];
    for (let i = 1; i < samples.length; i++) if (samples[i]!.value < samples[i - 1]!.value) out.push(i);
    r = Int32Array.from(out);
    resetCache.set(samples, r);
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

/** First index in [from, length) whose time is > t (samples are in time order). */
export function upperBoundFrom(samples: readonly Sample[], from: number, t: number): number {
  let lo = from;
  const hi0 = samples.length;
  // short scans are the common case when a cursor moves by a step
  while (lo < hi0 && lo - from < 8) {
    if (samples[lo]!.tMs > t) return lo;
    lo++;
  }
  let hi = hi0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid]!.tMs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

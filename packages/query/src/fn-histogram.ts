/** histogram_quantile over classic (`le`-labelled) buckets, as Prometheus computes it. */
import { labelsKey, labelsOf } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { derived } from './memo.js';
import type { VectorSample } from './value.js';

interface Bucket {
  upperBound: number;
  count: number;
}

export function histogramQuantile(q: number, samples: readonly VectorSample[]): VectorSample[] {
  const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const s of samples) {
    const b = bucketInfo(s.labels);
    if (!b) continue;
    const { labels, key, upperBound } = b;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, buckets: [] }));
    g.buckets.push({ upperBound, count: s.value });
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

/** The cache key for bucket label derivations. */
const BUCKETS = {};

/** A bucket series' group labels, group key and upper bound (cached per Labels object); null when it has no valid `le`. */
export function bucketInfo(l: Labels): { labels: Labels; key: string; upperBound: number } | null {
  return derived(BUCKETS, l, bucketOf);
}

function bucketOf(l: Labels): { labels: Labels; key: string; upperBound: number } | null {
  const le = l['le'];
  if (le === undefined) return null;
  const upperBound = parseLe(le);
  if (Number.isNaN(upperBound)) return null;
  const labels = labelsOf({ ...l, le: undefined, __name__: undefined });
  return { labels, key: labelsKey(labels), upperBound };
}

function parseLe(le: string): number {
  const t = le.trim().toLowerCase();
  if (t === '+inf' || t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  return t === '' ? NaN : Number(t);
}

export function bucketQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if (sorted[sorted.length - 1]?.upperBound !== Infinity) return NaN;
  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else buckets.push({ ...b });
  }
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else b.count = max;
  }
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1]?.count ?? 0;
  if (observations === 0 || Number.isNaN(observations)) return NaN;
  let rank = q * observations;
  let b = 0;
  while (b < buckets.length - 1 && (buckets[b]?.count ?? 0) < rank) b++;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]?.upperBound ?? NaN;
  const first = buckets[0];
  if (b === 0 && first && first.upperBound <= 0) return first.upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b]?.upperBound ?? NaN;
  let count = buckets[b]?.count ?? NaN;
  if (b > 0) {
    const prev = buckets[b - 1];
    bucketStart = prev?.upperBound ?? 0;
    count -= prev?.count ?? 0;
    rank -= prev?.count ?? 0;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/**
 * Pure helpers for rolled-up points outside the head: rolling up a run of raw samples from a
 * series' counter state, merging points of the same bucket (a day bucket spans several blocks),
 * packing points into bundles (blocks) and back, and serving one field.
 */
import { ColumnsBuilder } from '@fathom/storage';
import type { SampleColumns } from '@fathom/storage';
import { fieldValue, ROLLED_FIELDS, RollupAccumulator } from './accumulator.js';
import type { RolledPoint } from './accumulator.js';
import { decodeBundle, encodeBundle, POINTS_PER_ROLLUP_CHUNK } from './tier-series.js';
import type { RollupField } from './tiers.js';

export interface CounterState {
  readonly counter: number;
  readonly prev: number;
}

export interface PointChunk {
  readonly minTMs: number;
  readonly maxTMs: number;
  readonly count: number;
  readonly bytes: Uint8Array;
}

const STRIDE = 1 + ROLLED_FIELDS.length;

/** Rolls up time-ordered samples; the last (possibly partial) bucket is included. */
export function rollUp(samples: SampleColumns, resolutionMs: number, start: CounterState | undefined): { points: RolledPoint[]; end: CounterState | undefined } {
  const acc = new RollupAccumulator(resolutionMs);
  if (start) acc.restore({ open: undefined, counter: start.counter, prev: start.prev });
  const points: RolledPoint[] = [];
  const { tMs, values } = samples;
  for (let i = 0; i < tMs.length; i++) {
    const closed = acc.add(tMs[i]!, values[i]!);
    if (closed) points.push({ ...closed });
  }
  const st = acc.state();
  if (st.open) points.push({ ...st.open });
  return { points, end: Number.isNaN(st.prev) ? start : { counter: st.counter, prev: st.prev } };
}

/** Two parts of one bucket (`b` after `a` in time) as one point. */
export function mergePoint(a: RolledPoint, b: RolledPoint): RolledPoint {
  return { tMs: a.tMs, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), sum: a.sum + b.sum, count: a.count + b.count, last: b.last, counter: b.counter };
}

/** Appends `next` (not older than `into`'s last point) to `into`, merging a shared bucket. */
export function appendPoints(into: RolledPoint[], next: readonly RolledPoint[]): void {
  for (const p of next) {
    const last = into[into.length - 1];
    if (last && last.tMs === p.tMs) into[into.length - 1] = mergePoint(last, p);
    else if (!last || p.tMs > last.tMs) into.push(p);
  }
}

export function pointsToChunks(points: readonly RolledPoint[]): PointChunk[] {
  const out: PointChunk[] = [];
  for (let i = 0; i < points.length; i += POINTS_PER_ROLLUP_CHUNK) {
    const part = points.slice(i, i + POINTS_PER_ROLLUP_CHUNK);
    const buf = new Float64Array(part.length * STRIDE);
    part.forEach((p, k) => {
      buf[k * STRIDE] = p.tMs;
      ROLLED_FIELDS.forEach((f, j) => (buf[k * STRIDE + 1 + j] = p[f]));
    });
    out.push({ minTMs: part[0]?.tMs ?? 0, maxTMs: part[part.length - 1]?.tMs ?? 0, count: part.length, bytes: encodeBundle(buf, part.length) });
  }
  return out;
}

export function chunkPoints(bytes: Uint8Array): RolledPoint[] {
  const { points, count } = decodeBundle(bytes);
  const out: RolledPoint[] = [];
  for (let k = 0; k < count; k++) {
    const o = k * STRIDE;
    out.push({ tMs: points[o] ?? 0, min: points[o + 1] ?? NaN, max: points[o + 2] ?? NaN, sum: points[o + 3] ?? NaN, count: points[o + 4] ?? NaN, last: points[o + 5] ?? NaN, counter: points[o + 6] ?? NaN });
  }
  return out;
}

/** One field of the points in [minMs, maxMs] as sample columns. */
export function serveField(points: readonly RolledPoint[], field: RollupField, minMs: number, maxMs: number): SampleColumns {
  const out = new ColumnsBuilder(points.length);
  for (const p of points) if (p.tMs >= minMs && p.tMs <= maxMs) out.push(p.tMs, fieldValue(p, field));
  return out.finish();
}

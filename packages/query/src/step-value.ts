/**
 * What the step evaluator computes for a node: its value at every step of the query at once.
 * A vector is a list of series, each with one value per step and a presence flag per step.
 */
import type { Labels } from '@fathom/model';

/** The steps of an evaluation: their times (ms), as the per-step loop reaches them. */
export interface StepGrid {
  readonly times: Float64Array;
  readonly count: number;
}

export interface StepSeries {
  readonly labels: Labels;
  readonly values: Float64Array;
  /** 1 where the series has a sample at the step. */
  readonly present: Uint8Array;
  /**
   * When given, `present` is 0 outside [firstStep, endStep): loops over the steps may skip the
   * rest (a 7 d query at 10 m steps over 6 h of data has 1,008 steps, ~36 with values).
   */
  readonly firstStep?: number;
  readonly endStep?: number;
}

/** The steps of `s` that may be present: [from, to). */
export function presentRange(s: StepSeries, steps: number): [from: number, to: number] {
  return [s.firstStep ?? 0, Math.min(steps, s.endStep ?? steps)];
}

export interface StepVector {
  readonly type: 'vector';
  readonly series: readonly StepSeries[];
  /**
   * Where the order of the series at a step differs from the list's: per series, per step, a key
   * ascending in the order the per-step evaluator (evaluator.ts) produces them. Absent: list order.
   * Summation order and topk ties depend on it, so both paths agree to the bit.
   */
  readonly ranks?: readonly Float64Array[];
}

export interface StepScalar {
  readonly type: 'scalar';
  readonly values: Float64Array;
}

export type StepValue = StepScalar | StepVector;

export function newSeries(labels: Labels, steps: number): StepSeries {
  return { labels, values: zeroedFloat64(steps), present: zeroedUint8(steps) };
}

/*
 * Step arrays are carved from shared slabs: a fresh typed array is an off-heap buffer (~5 µs to
 * make), a view of a slab ~50 ns, and a query makes a few per series per node. A region is handed
 * out once only, so it is zero like a fresh array; a slab is freed once no view of it is left.
 */
const SLAB_BYTES = 1 << 19;
const OWN_ARRAY_BYTES = 1 << 15;
let f64Slab = new Float64Array(0);
let f64Used = 0;
let u8Slab = new Uint8Array(0);
let u8Used = 0;

/** `n` zeroed doubles (a slab view, or an array of their own when large). */
export function zeroedFloat64(n: number): Float64Array {
  if (n * 8 > OWN_ARRAY_BYTES) return new Float64Array(n);
  if (f64Used + n > f64Slab.length) {
    f64Slab = new Float64Array(SLAB_BYTES / 8);
    f64Used = 0;
  }
  f64Used += n;
  return f64Slab.subarray(f64Used - n, f64Used);
}

/** `n` zeroed bytes (a slab view, or an array of their own when large). */
export function zeroedUint8(n: number): Uint8Array {
  if (n > OWN_ARRAY_BYTES) return new Uint8Array(n);
  if (u8Used + n > u8Slab.length) {
    u8Slab = new Uint8Array(SLAB_BYTES);
    u8Used = 0;
  }
  u8Used += n;
  return u8Slab.subarray(u8Used - n, u8Used);
}

/** True when, at every step, the present series' ranks ascend along the list. */
export function inListOrder(v: StepVector, steps: number): boolean {
  const ranks = v.ranks;
  if (!ranks) return true;
  for (let t = 0; t < steps; t++) {
    let last = -Infinity;
    for (let i = 0; i < v.series.length; i++) {
      if (v.series[i]!.present[t] === 0) continue;
      const r = ranks[i]![t]!;
      if (r < last) return false;
      last = r;
    }
  }
  return true;
}

/** Indices of the series present at step t, in the per-step evaluator's order. */
export function orderAt(v: StepVector, t: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.series.length; i++) if (v.series[i]!.present[t] === 1) out.push(i);
  const ranks = v.ranks;
  if (ranks) out.sort((a, b) => ranks[a]![t]! - ranks[b]![t]!);
  return out;
}

/**
 * Thrown when a query's step values would hold more cells (series × steps) than its budget; the
 * engine then evaluates it with the per-step evaluator, which holds one step at a time.
 */
export class StepBudgetExceeded extends Error {
  override readonly name = 'StepBudgetExceeded';
}

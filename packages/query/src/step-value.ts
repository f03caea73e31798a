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
  return { labels, values: new Float64Array(steps), present: new Uint8Array(steps) };
}

/** True when some step has a sample. */
export function anyPresent(s: StepSeries): boolean {
  return s.present.includes(1);
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

/**
 * Raw samples read only at the steps of a grid (`SelectHints.readAtSteps`): an instant selector
 * evaluated at startMs, startMs + stepMs, … ≤ endMs reads at each step the latest sample at or
 * before it. A sample is kept when some step falls in [its time, the next sample's time); every
 * step then finds the same latest sample as over all samples (value, staleness marker and age, so
 * any lookback gives the same answer), and the samples a later one supersedes before the next step
 * are never materialised. Parts thinned apart (blocks, head) keep a superset: still exact.
 */
import type { ColumnsBuilder, SampleColumns } from '@fathom/storage';

export interface ReadGrid {
  readonly startMs: number;
  readonly endMs: number;
  /** 0 for a single step at startMs. */
  readonly stepMs: number;
}

/** The grid of a selection's hints when the caller reads it only at its steps, else undefined. */
export function readGridOf(hints: { readonly startMs: number; readonly endMs: number; readonly stepMs?: number; readonly readAtSteps?: boolean } | undefined): ReadGrid | undefined {
  if (!hints?.readAtSteps) return undefined;
  const stepMs = hints.stepMs ?? 0;
  if (!(stepMs >= 0) || !(hints.endMs >= hints.startMs)) return undefined;
  return { startMs: hints.startMs, endMs: stepMs > 0 ? hints.endMs : hints.startMs, stepMs };
}

/** The most samples one part thinned to `grid` keeps: one per step (a capacity, not a count). */
export function maxKept(grid: ReadGrid): number {
  return grid.stepMs > 0 ? Math.floor((grid.endMs - grid.startMs) / grid.stepMs) + 1 : 1;
}

/**
 * Takes samples in time order; `finish` returns those some step reads (pushed to `out`), or all of
 * them without a grid. Every read decodes into one of these, grid or not: a decoder call site that
 * met a second sink class (a ColumnsBuilder, then a thinner) was deoptimized, and the first few
 * selects after the switch ran 2-3× slower.
 */
export class GridThinner {
  private readonly _all: boolean;
  private _has = false;
  private _tMs = 0;
  private _value = 0;
  /** The first step at or after the pending sample (Infinity: past the grid's end). */
  private _nextStepMs = Infinity;

  constructor(
    private readonly _grid: ReadGrid | undefined,
    private readonly _out: ColumnsBuilder,
  ) {
    this._all = _grid === undefined;
  }

  push(tMs: number, value: number): void {
    if (this._all) {
      this._out.push(tMs, value);
      return;
    }
    if (!this._has) {
      this._has = true;
      this._nextStepMs = this._stepFrom(tMs);
    } else {
      if (this._nextStepMs < tMs) this._out.push(this._tMs, this._value);
      // no step in [pending, next step): the step after tMs is the same one while tMs ≤ it
      if (tMs > this._nextStepMs) this._nextStepMs = this._stepFrom(tMs);
    }
    this._tMs = tMs;
    this._value = value;
  }

  finish(): SampleColumns {
    if (!this._all && this._has && this._nextStepMs !== Infinity) this._out.push(this._tMs, this._value);
    this._has = false;
    return this._out.finish();
  }

  private _stepFrom(tMs: number): number {
    const g = this._grid!;
    if (tMs <= g.startMs) return g.startMs;
    if (g.stepMs <= 0) return Infinity;
    const stepMs = g.startMs + Math.ceil((tMs - g.startMs) / g.stepMs) * g.stepMs;
    return stepMs > g.endMs ? Infinity : stepMs;
  }
}

/**
 * A node without a step implementation: evaluated by the per-step {@link Evaluator} at every step
 * and collected into step form, keeping the per-step order of its samples as ranks. Its direct
 * instant-vector and scalar operands are evaluated by the step evaluator first and handed to the
 * per-step evaluator step by step, so only the node itself runs per step, not its whole subtree.
 */
import type { SeriesData } from '@fathom/storage';
import type { Expr, VectorSelector } from './ast.js';
import { typeOf } from './ast.js';
import { Evaluator } from './evaluator.js';
import type { EvalContext } from './evaluator.js';
import { keyOf } from './memo.js';
import { newSeries, orderAt } from './step-value.js';
import type { StepGrid, StepSeries, StepValue } from './step-value.js';
import type { InstantValue } from './value.js';

/** The per-step evaluator, answering some nodes from values computed for every step beforehand. */
class Precomputed extends Evaluator {
  step = -1;

  constructor(
    data: ReadonlyMap<VectorSelector, readonly SeriesData[]>,
    ctx: EvalContext,
    private readonly _values: ReadonlyMap<Expr, StepValue>,
    private readonly _grid: StepGrid,
  ) {
    super(data, ctx);
  }

  override eval(e: Expr, tMs: number): InstantValue {
    const v = this._values.get(e);
    // only at the grid's own step: a subquery below evaluates at other times
    if (v === undefined || this.step < 0 || this._grid.times[this.step] !== tMs) return super.eval(e, tMs);
    const t = this.step;
    if (v.type === 'scalar') return { type: 'scalar', value: v.values[t]! };
    return { type: 'vector', samples: orderAt(v, t).map((i) => ({ labels: v.series[i]!.labels, value: v.series[i]!.values[t]! })) };
  }
}

/** Direct operands evaluated at the node's own time, which the step evaluator can compute. */
function operands(e: Expr): Expr[] {
  const direct = e.kind === 'unary' ? [e.expr] : e.kind === 'binary' ? [e.lhs, e.rhs] : e.kind === 'aggregate' ? [e.expr, ...(e.param ? [e.param] : [])] : e.kind === 'call' ? e.args : [];
  return direct.filter((a) => {
    if (a.kind === 'number' || a.kind === 'string' || a.kind === 'matrix' || a.kind === 'subquery') return false;
    // timestamp() reads the sample times a selector carries
    if (a.kind === 'vector' && e.kind === 'call' && e.func === 'timestamp') return false;
    const type = typeOf(a);
    return type === 'scalar' || type === 'vector';
  });
}

/** What the fallback needs of the step evaluator. */
export interface StepHost {
  readonly grid: StepGrid;
  eval(e: Expr): StepValue;
  reserve(series: number): void;
}

export function fallback(data: ReadonlyMap<VectorSelector, readonly SeriesData[]>, ctx: EvalContext, host: StepHost, e: Expr, scalar: boolean): StepValue {
  const grid = host.grid;
  const values = new Map<Expr, StepValue>();
  for (const a of operands(e)) values.set(a, host.eval(a));
  const ev = new Precomputed(data, ctx, values, grid);
  const steps = grid.count;
  if (scalar) {
    const out = new Float64Array(steps);
    for (let t = 0; t < steps; t++) {
      ev.step = t;
      out[t] = ev.scalar(e, grid.times[t]!, NaN);
    }
    return { type: 'scalar', values: out };
  }
  const series: StepSeries[] = [];
  const ranks: Float64Array[] = [];
  // a label set may occur twice at one step (binary operators do not check): one series per occurrence
  const byKey = new Map<string, number[]>();
  for (let t = 0; t < steps; t++) {
    ev.step = t;
    const samples = ev.vector(e, grid.times[t]!);
    const seen = new Map<string, number>();
    samples.forEach((p, pos) => {
      const key = keyOf(p.labels);
      const nth = seen.get(key) ?? 0;
      seen.set(key, nth + 1);
      let list = byKey.get(key);
      if (!list) byKey.set(key, (list = []));
      let idx = list[nth];
      if (idx === undefined) {
        host.reserve(1);
        idx = series.length;
        list.push(idx);
        series.push(newSeries(p.labels, steps));
        ranks.push(new Float64Array(steps));
      }
      const s = series[idx]!;
      s.values[t] = p.value;
      s.present[t] = 1;
      ranks[idx]![t] = pos;
    });
  }
  return { type: 'vector', series, ranks };
}

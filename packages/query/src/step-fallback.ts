/**
 * A node without a step implementation: evaluated by the per-step {@link Evaluator} at every step
 * and collected into step form, keeping the per-step order of its samples as ranks.
 */
import type { Expr } from './ast.js';
import type { Evaluator } from './evaluator.js';
import { keyOf } from './memo.js';
import { newSeries } from './step-value.js';
import type { StepGrid, StepSeries, StepValue } from './step-value.js';

export function fallback(ev: Evaluator, e: Expr, grid: StepGrid, scalar: boolean): StepValue {
  const steps = grid.count;
  if (scalar) {
    const values = new Float64Array(steps);
    for (let t = 0; t < steps; t++) values[t] = ev.scalar(e, grid.times[t]!, NaN);
    return { type: 'scalar', values };
  }
  const series: StepSeries[] = [];
  const ranks: Float64Array[] = [];
  // a label set may occur twice at one step (binary operators do not check): one series per occurrence
  const byKey = new Map<string, number[]>();
  for (let t = 0; t < steps; t++) {
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

/**
 * histogram_quantile at every step at once: each bucket series' group and upper bound are found
 * once, then per step the buckets present are gathered in the per-step evaluator's order
 * (fn-histogram.ts), so equal bounds add up in the same order.
 */
import type { Labels } from '@fathom/model';
import { bucketInfo, bucketQuantile } from './fn-histogram.js';
import { orderAt } from './step-value.js';
import type { StepScalar, StepSeries, StepVector } from './step-value.js';

export function stepHistogramQuantile(q: StepScalar, child: StepVector, steps: number): StepVector {
  const index = new Map<string, number>();
  const labels: Labels[] = [];
  const groupOf = Int32Array.from(child.series, (s) => {
    const b = bucketInfo(s.labels);
    if (!b) return -1;
    let g = index.get(b.key);
    if (g === undefined) {
      index.set(b.key, (g = labels.length));
      labels.push(b.labels);
    }
    return g;
  });
  const series: StepSeries[] = labels.map((l) => ({ labels: l, values: new Float64Array(steps), present: new Uint8Array(steps) }));
  const ranks = labels.map(() => new Float64Array(steps));
  for (let t = 0; t < steps; t++) {
    const buckets = new Map<number, { upperBound: number; count: number }[]>();
    for (const i of orderAt(child, t)) {
      const g = groupOf[i]!;
      if (g < 0) continue;
      let list = buckets.get(g);
      if (!list) {
        buckets.set(g, (list = []));
        ranks[g]![t] = child.ranks ? child.ranks[i]![t]! : i;
      }
      list.push({ upperBound: bucketInfo(child.series[i]!.labels)!.upperBound, count: child.series[i]!.values[t]! });
    }
    for (const [g, list] of buckets) {
      series[g]!.values[t] = bucketQuantile(q.values[t]!, list);
      series[g]!.present[t] = 1;
    }
  }
  return { type: 'vector', series, ranks };
}

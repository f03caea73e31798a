/** sum, avg, min, max and count over an instant vector, grouped `by` or `without` labels. */
import { labelsKey, METRIC_NAME, onlyLabels, withoutLabels } from '@fathom/model';
import type { Labels } from '@fathom/model';
import type { Aggregate } from './ast.js';
import type { VectorSample } from './value.js';

interface Group {
  labels: Labels;
  sum: number;
  count: number;
  min: number;
  max: number;
}

export function aggregate(e: Aggregate, samples: readonly VectorSample[]): VectorSample[] {
  const groups = new Map<string, Group>();
  for (const s of samples) {
    const labels = e.without ? withoutLabels(s.labels, [METRIC_NAME, ...e.grouping]) : onlyLabels(s.labels, e.grouping);
    const key = labelsKey(labels);
    const g = groups.get(key);
    if (!g) groups.set(key, { labels, sum: s.value, count: 1, min: s.value, max: s.value });
    else {
      g.sum += s.value;
      g.count++;
      if (s.value < g.min || Number.isNaN(g.min)) g.min = s.value;
      if (s.value > g.max || Number.isNaN(g.max)) g.max = s.value;
    }
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: pick(e.op, g) }));
}

function pick(op: Aggregate['op'], g: Group): number {
  switch (op) {
    case 'sum': return g.sum;
    case 'avg': return g.sum / g.count;
    case 'min': return g.min;
    case 'max': return g.max;
    case 'count': return g.count;
  }
}

/**
 * Aggregation operators over an instant vector, grouped `by` or `without` labels: sum, avg, min,
 * max, count, group, stddev, stdvar, quantile, topk, bottomk, count_values.
 */
import { formatFloat, isValidLabelName, labelsKey, labelsOf, METRIC_NAME, onlyLabels, withoutLabels } from '@fathom/model';
import type { Labels } from '@fathom/model';
import type { Aggregate } from './ast.js';
import { QueryError } from './errors.js';
import { derived, keyOf } from './memo.js';
import { quantileOf } from './stats.js';
import type { VectorSample } from './value.js';

/** The aggregation's parameter, evaluated at the step: k, φ or the count_values label. */
export type AggregateParam = number | string | undefined;

export function aggregate(e: Aggregate, samples: readonly VectorSample[], param: AggregateParam): VectorSample[] {
  const key = groupKey(e);
  if (e.op === 'topk' || e.op === 'bottomk') return selectK(samples, key, Number(param), e.op === 'topk');
  if (e.op === 'count_values') return countValues(samples, e, String(param));
  const groups = new Map<string, { labels: Labels; values: number[] }>();
  for (const s of samples) {
    const labels = key(s.labels);
    const k = keyOf(labels);
    const g = groups.get(k);
    if (g) g.values.push(s.value);
    else groups.set(k, { labels, values: [s.value] });
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: reduce(e.op, g.values, Number(param)) }));
}

export function groupKey(e: Aggregate): (labels: Labels) => Labels {
  const compute = e.without ? (l: Labels) => withoutLabels(l, [METRIC_NAME, ...e.grouping]) : (l: Labels) => onlyLabels(l, e.grouping);
  return (l) => derived(e, l, compute);
}

function reduce(op: Aggregate['op'], values: readonly number[], param: number): number {
  switch (op) {
    case 'sum':
      return sum(values);
    case 'avg':
      return sum(values) / values.length;
    case 'min':
      return extreme(values, (cur, v) => v < cur);
    case 'max':
      return extreme(values, (cur, v) => v > cur);
    case 'count':
      return values.length;
    case 'group':
      return 1;
    case 'stddev':
      return Math.sqrt(variance(values));
    case 'stdvar':
      return variance(values);
    case 'quantile':
      return quantileOf(param, values);
    default:
      throw new QueryError('bad_data', `aggregation ${op} is not supported`);
  }
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

function extreme(values: readonly number[], better: (cur: number, v: number) => boolean): number {
  let best = values[0] ?? NaN;
  for (const v of values) if (Number.isNaN(best) || better(best, v)) best = v;
  return best;
}

export function variance(values: readonly number[]): number {
  let count = 0;
  let mean = 0;
  let aux = 0;
  for (const v of values) {
    count++;
    const delta = v - mean;
    mean += delta / count;
    aux += delta * (v - mean);
  }
  return aux / count;
}

/** topk/bottomk: the k largest (smallest) per group, NaN ranked last; samples keep their labels. */
function selectK(samples: readonly VectorSample[], key: (l: Labels) => Labels, kParam: number, top: boolean): VectorSample[] {
  if (Number.isNaN(kParam)) throw new QueryError('execution', 'Parameter value is NaN');
  const k = Math.trunc(kParam);
  if (k < 1) return [];
  const groups = new Map<string, VectorSample[]>();
  for (const s of samples) {
    const g = keyOf(key(s.labels));
    const list = groups.get(g);
    if (list) list.push(s);
    else groups.set(g, [s]);
  }
  const rank = (a: VectorSample, b: VectorSample): number => {
    if (Number.isNaN(a.value)) return Number.isNaN(b.value) ? 0 : 1;
    if (Number.isNaN(b.value)) return -1;
    return top ? b.value - a.value : a.value - b.value;
  };
  const out: VectorSample[] = [];
  for (const list of groups.values()) out.push(...list.sort(rank).slice(0, k));
  return out;
}

function countValues(samples: readonly VectorSample[], e: Aggregate, label: string): VectorSample[] {
  if (!isValidLabelName(label)) throw new QueryError('execution', `invalid label name ${JSON.stringify(label)}`);
  const key = groupKey(e);
  const counts = new Map<string, { labels: Labels; n: number }>();
  for (const s of samples) {
    const labels = labelsOf({ ...key(s.labels), [label]: formatFloat(s.value) });
    const k = labelsKey(labels);
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { labels, n: 1 });
  }
  return [...counts.values()].map((c) => ({ labels: c.labels, value: c.n }));
}

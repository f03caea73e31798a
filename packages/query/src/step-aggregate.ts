/**
 * Aggregations at every step at once: each input series' group is found once (not per step), then
 * values are folded into per-group, per-step accumulators in the order the per-step evaluator
 * meets them (aggregate.ts), so sums round identically. count_values and limitk go per step.
 */
import type { Labels } from '@fathom/model';
import type { Aggregate } from './ast.js';
import { AGGREGATE_PARAM, typeOf } from './ast.js';
import { groupKey } from './aggregate.js';
import { QueryError } from './errors.js';
import { subsetKeyOf } from './memo.js';
import type { StepEvaluator } from './step-eval.js';
import { inListOrder, orderAt, presentRange, zeroedUint8 } from './step-value.js';
import type { StepSeries, StepValue, StepVector } from './step-value.js';
import { quantileOf } from './stats.js';

const FOLDS = new Set(['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'quantile', 'topk', 'bottomk']);

interface Groups {
  readonly labels: Labels[];
  /** Group of each input series. */
  readonly of: Int32Array;
}

export function stepAggregate(ev: StepEvaluator, e: Aggregate): StepValue | undefined {
  if (!FOLDS.has(e.op) || typeOf(e.expr) !== 'vector') return undefined;
  let param: Float64Array | undefined;
  if (AGGREGATE_PARAM[e.op]) {
    if (!e.param || typeOf(e.param) !== 'scalar') return undefined;
    const p = ev.eval(e.param);
    if (p.type !== 'scalar') return undefined;
    param = p.values;
  }
  const child = ev.eval(e.expr);
  if (child.type !== 'vector') return undefined;
  const groups = groupsOf(e, child.series);
  const steps = ev.grid.count;
  ev.reserve(e.op === 'topk' || e.op === 'bottomk' ? child.series.length : groups.labels.length);
  if (e.op === 'topk' || e.op === 'bottomk') return selectK(child, groups, param ?? new Float64Array(steps).fill(NaN), e.op === 'topk', steps);
  if (e.op === 'quantile') return quantiles(child, groups, param ?? new Float64Array(steps).fill(NaN), steps);
  return fold(e.op, child, groups, steps);
}

function groupsOf(e: Aggregate, series: readonly StepSeries[]): Groups {
  const group = groupKey(e);
  const keyOf = subsetKeyOf(e.grouping, e.without);
  const index = new Map<string, number>();
  const labels: Labels[] = [];
  const of = new Int32Array(series.length);
  series.forEach((s, i) => {
    const k = keyOf(s.labels);
    let g = index.get(k);
    if (g === undefined) {
      index.set(k, (g = labels.length));
      labels.push(group(s.labels));
    }
    of[i] = g;
  });
  return { labels, of };
}

/** sum, avg, min, max, count, group, stddev, stdvar: per-group, per-step accumulators. */
function fold(op: Aggregate['op'], child: StepVector, groups: Groups, steps: number): StepVector {
  const size = groups.labels.length * steps;
  const acc = new Float64Array(size);
  const count = new Float64Array(size);
  const mean = op === 'stddev' || op === 'stdvar' ? new Float64Array(size) : undefined;
  const rank = new Float64Array(size);
  const add = (i: number, t: number): void => {
    const s = child.series[i]!;
    const v = s.values[t]!;
    const at = groups.of[i]! * steps + t;
    const n = ++count[at]!;
    if (n === 1) rank[at] = child.ranks ? child.ranks[i]![t]! : i;
    switch (op) {
      case 'sum':
      case 'avg':
        acc[at] = acc[at]! + v;
        return;
      case 'min':
      case 'max': {
        const best = acc[at]!;
        if (n === 1 || Number.isNaN(best) || (op === 'min' ? v < best : v > best)) acc[at] = v;
        return;
      }
      case 'stddev':
      case 'stdvar': {
        const delta = v - mean![at]!;
        mean![at] = mean![at]! + delta / n;
        acc[at] = acc[at]! + delta * (v - mean![at]);
        return;
      }
      default:
        return;
    }
  };
  if ((op === 'sum' || op === 'avg' || op === 'count' || op === 'group') && inListOrder(child, steps)) {
    sumInListOrder(child, groups, steps, acc, count, rank);
  } else if ((op === 'min' || op === 'max') && inListOrder(child, steps)) {
    extremeInListOrder(child, groups, steps, acc, count, rank, op === 'max');
  } else if (inListOrder(child, steps)) {
    for (let i = 0; i < child.series.length; i++) {
      const s = child.series[i]!;
      const [from, to] = presentRange(s, steps);
      for (let t = from; t < to; t++) if (s.present[t] === 1) add(i, t);
    }
  } else {
    for (let t = 0; t < steps; t++) for (const i of orderAt(child, t)) add(i, t);
  }
  // a group's steps lie within its members' present ranges
  const firstOf = new Int32Array(groups.labels.length).fill(steps);
  const endOf = new Int32Array(groups.labels.length);
  child.series.forEach((s, i) => {
    const g = groups.of[i]!;
    const [from, to] = presentRange(s, steps);
    if (from < firstOf[g]!) firstOf[g] = from;
    if (to > endOf[g]!) endOf[g] = to;
  });
  const series: StepSeries[] = [];
  const ranks: Float64Array[] = [];
  groups.labels.forEach((labels, g) => {
    const from = g * steps;
    const values = acc.subarray(from, from + steps);
    const present = zeroedUint8(steps);
    for (let t = firstOf[g]!; t < endOf[g]!; t++) {
      const n = count[from + t]!;
      if (n === 0) continue;
      present[t] = 1;
      values[t] = finish(op, values[t]!, n);
    }
    series.push({ labels, values, present, firstStep: firstOf[g]!, endStep: endOf[g]! });
    ranks.push(rank.subarray(from, from + steps));
  });
  return { type: 'vector', series, ranks };
}

/**
 * {@link fold}'s loop for sum, avg, count and group over series in list order, as one plain loop
 * (no closure or switch per value): the same cells in the same order, so sums round identically.
 * The common dashboard shape, and the aggregation the profiles of 7 d queries (1,008 steps a
 * series) found hottest.
 */
function sumInListOrder(child: StepVector, groups: Groups, steps: number, acc: Float64Array, count: Float64Array, rank: Float64Array): void {
  const ranks = child.ranks;
  for (let i = 0; i < child.series.length; i++) {
    const s = child.series[i]!;
    const { present, values } = s;
    const base = groups.of[i]! * steps;
    const ranksOf = ranks ? ranks[i]! : undefined;
    const [from, to] = presentRange(s, steps);
    for (let t = from; t < to; t++) {
      if (present[t] !== 1) continue;
      const at = base + t;
      const n = ++count[at]!;
      if (n === 1) rank[at] = ranksOf ? ranksOf[t]! : i;
      acc[at] = acc[at]! + values[t]!;
    }
  }
}

/**
 * {@link fold}'s loop for min and max over series in list order, as {@link sumInListOrder} is for
 * sums: one plain loop that the JIT compiles for this alone (the shared closure's switch cost the
 * first max query after sums ~2 ms of unoptimized calls). A NaN is replaced by any value, as
 * Prometheus does.
 */
function extremeInListOrder(child: StepVector, groups: Groups, steps: number, acc: Float64Array, count: Float64Array, rank: Float64Array, isMax: boolean): void {
  const ranks = child.ranks;
  for (let i = 0; i < child.series.length; i++) {
    const s = child.series[i]!;
    const { present, values } = s;
    const base = groups.of[i]! * steps;
    const ranksOf = ranks ? ranks[i]! : undefined;
    const [from, to] = presentRange(s, steps);
    for (let t = from; t < to; t++) {
      if (present[t] !== 1) continue;
      const at = base + t;
      const v = values[t]!;
      const n = ++count[at]!;
      if (n === 1) {
        rank[at] = ranksOf ? ranksOf[t]! : i;
        acc[at] = v;
        continue;
      }
      const best = acc[at]!;
      if (best !== best || (isMax ? v > best : v < best)) acc[at] = v;
    }
  }
}

function finish(op: Aggregate['op'], v: number, n: number): number {
  switch (op) {
    case 'avg':
      return v / n;
    case 'count':
      return n;
    case 'group':
      return 1;
    case 'stddev':
      return Math.sqrt(v / n);
    case 'stdvar':
      return v / n;
    default:
      return v;
  }
}

function quantiles(child: StepVector, groups: Groups, param: Float64Array, steps: number): StepVector {
  const series = groups.labels.map((labels) => ({ labels, values: new Float64Array(steps), present: new Uint8Array(steps) }));
  const ranks = groups.labels.map(() => new Float64Array(steps));
  for (let t = 0; t < steps; t++) {
    const lists = new Map<number, number[]>();
    for (const i of orderAt(child, t)) {
      const g = groups.of[i]!;
      let list = lists.get(g);
      if (!list) {
        lists.set(g, (list = []));
        ranks[g]![t] = child.ranks ? child.ranks[i]![t]! : i;
      }
      list.push(child.series[i]!.values[t]!);
    }
    for (const [g, list] of lists) {
      series[g]!.values[t] = quantileOf(param[t]!, list);
      series[g]!.present[t] = 1;
    }
  }
  return { type: 'vector', series, ranks };
}

/**
 * topk/bottomk: per step and group, the k best of the input series, which keep their labels. The
 * k best are kept by stable insertion (equal values stay in input order, NaN last), which picks
 * the same series in the same order as a stable sort, without sorting or boxing per step.
 */
function selectK(child: StepVector, groups: Groups, param: Float64Array, top: boolean, steps: number): StepVector {
  const out = new Map<number, { series: StepSeries; rank: Float64Array }>();
  const nGroups = groups.labels.length;
  const size = new Int32Array(nGroups);
  for (let i = 0; i < child.series.length; i++) size[groups.of[i]!]!++;
  // group g's best list: slots[base[g], base[g] + cap[g]), cap = min(k, group size): at most one slot per series
  const base = new Int32Array(nGroups);
  const cap = new Int32Array(nGroups);
  const slots = new Int32Array(child.series.length);
  const count = new Int32Array(nGroups);
  const groupOrder = new Int32Array(nGroups);
  let lastK = 0;
  for (let t = 0; t < steps; t++) {
    const kParam = param[t]!;
    if (Number.isNaN(kParam)) throw new QueryError('execution', 'Parameter value is NaN');
    const k = Math.min(Math.trunc(kParam), child.series.length);
    if (!(k >= 1)) continue;
    if (k !== lastK) {
      for (let g = 0, o = 0; g < nGroups; o += cap[g]!, g++) {
        base[g] = o;
        cap[g] = Math.min(k, size[g]!);
      }
      lastK = k;
    }
    count.fill(0);
    let nOrder = 0;
    for (const i of orderAt(child, t)) {
      const g = groups.of[i]!;
      if (count[g] === 0) groupOrder[nOrder++] = g;
      insertBest(slots, base[g]!, count, g, cap[g]!, i, child, t, top);
    }
    let pos = 0;
    for (let n = 0; n < nOrder; n++) {
      const g = groupOrder[n]!;
      for (let j = 0; j < count[g]!; j++) {
        const i = slots[base[g]! + j]!;
        let o = out.get(i);
        if (!o) out.set(i, (o = { series: { labels: child.series[i]!.labels, values: new Float64Array(steps), present: new Uint8Array(steps) }, rank: new Float64Array(steps) }));
        o.series.values[t] = child.series[i]!.values[t]!;
        o.series.present[t] = 1;
        o.rank[t] = pos++;
      }
    }
  }
  const chosen = [...out.keys()].sort((a, b) => a - b).map((i) => out.get(i)!);
  return { type: 'vector', series: chosen.map((o) => o.series), ranks: chosen.map((o) => o.rank) };
}

/**
 * Inserts series `i` into group g's best list (slots[base, base + count[g]), best first, at most k)
 * after every series not worse than it: the order a stable sort by value (NaN last) gives.
 */
function insertBest(slots: Int32Array, base: number, count: Int32Array, g: number, k: number, i: number, child: StepVector, t: number, top: boolean): void {
  const v = child.series[i]!.values[t]!;
  let p = count[g]!;
  while (p > 0 && ranksBefore(v, child.series[slots[base + p - 1]!]!.values[t]!, top)) p--;
  if (p >= k) return;
  const last = Math.min(count[g]!, k - 1);
  for (let j = last; j > p; j--) slots[base + j] = slots[base + j - 1]!;
  slots[base + p] = i;
  count[g] = last + 1;
}

/** True when value a ranks strictly before b in topk (top) or bottomk order; NaN ranks last. */
function ranksBefore(a: number, b: number, top: boolean): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return top ? a > b : a < b;
}

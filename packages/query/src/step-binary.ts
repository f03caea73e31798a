/**
 * Binary operators at every step at once. Match signatures and result labels are computed once
 * per series (pair), then each step is a walk over integer group ids; the checks and error
 * messages are the per-step evaluator's (binary.ts), at the same steps.
 */
import { labelsKey } from '@fathom/model';
import type { Binary, VectorMatching } from './ast.js';
import { typeOf } from './ast.js';
import { arith, COMPARISONS, dropsName, duplicateOnOneSide, GROUPING_NOT_UNIQUE, MANY_TO_ONE_IMPLICIT, ONE_TO_ONE, resultLabels } from './binary.js';
import { QueryError } from './errors.js';
import { derivedPair, dropName, subsetKeyOf } from './memo.js';
import type { StepEvaluator } from './step-eval.js';
import { orderAt, zeroedFloat64, zeroedUint8 } from './step-value.js';
import type { StepScalar, StepSeries, StepValue, StepVector } from './step-value.js';

export function stepBinary(ev: StepEvaluator, e: Binary): StepValue | undefined {
  const lt = typeOf(e.lhs);
  const rt = typeOf(e.rhs);
  if ((lt !== 'scalar' && lt !== 'vector') || (rt !== 'scalar' && rt !== 'vector')) return undefined;
  const setOp = e.op === 'and' || e.op === 'or' || e.op === 'unless';
  if (setOp || e.matching?.card === 'many-to-many') return undefined;
  const lhs = ev.eval(e.lhs);
  const rhs = ev.eval(e.rhs);
  const steps = ev.grid.count;
  if (lhs.type === 'scalar' && rhs.type === 'scalar') return { type: 'scalar', values: lhs.values.map((a, t) => arith(e.op, a, rhs.values[t]!)) };
  if (lhs.type === 'vector') ev.reserve(lhs.series.length);
  if (rhs.type === 'vector') ev.reserve(rhs.series.length);
  if (lhs.type === 'vector' && rhs.type === 'scalar') return vectorScalar(e, lhs, rhs, false, steps);
  if (lhs.type === 'scalar' && rhs.type === 'vector') return vectorScalar(e, rhs, lhs, true, steps);
  if (lhs.type === 'vector' && rhs.type === 'vector') return vectorVector(e, lhs, rhs, steps);
  return undefined;
}

function vectorScalar(e: Binary, vec: StepVector, s: StepScalar, scalarLeft: boolean, steps: number): StepVector {
  const filter = COMPARISONS.has(e.op) && !e.returnBool;
  const series = vec.series.map((v): StepSeries => {
    const values = zeroedFloat64(steps);
    const present = zeroedUint8(steps);
    for (let t = 0; t < steps; t++) {
      if (v.present[t] === 0) continue;
      const x = v.values[t]!;
      const r = scalarLeft ? arith(e.op, s.values[t]!, x) : arith(e.op, x, s.values[t]!);
      if (filter) {
        if (r !== 1) continue;
        values[t] = x;
      } else values[t] = r;
      present[t] = 1;
    }
    return { labels: !filter && dropsName(e) ? dropName(v.labels) : v.labels, values, present };
  });
  return vec.ranks ? { type: 'vector', series, ranks: vec.ranks } : { type: 'vector', series };
}

/** Integer ids for match signatures, shared by both sides. */
function sigIds(m: VectorMatching, a: StepVector, b: StepVector): { a: Int32Array; b: Int32Array; count: number } {
  const sig = subsetKeyOf(m.labels, !m.on);
  const ids = new Map<string, number>();
  const idOf = (v: StepVector): Int32Array =>
    Int32Array.from(v.series, (s) => {
      const k = sig(s.labels);
      let id = ids.get(k);
      if (id === undefined) ids.set(k, (id = ids.size));
      return id;
    });
  const ia = idOf(a);
  return { a: ia, b: idOf(b), count: ids.size };
}

function vectorVector(e: Binary, lhsIn: StepVector, rhsIn: StepVector, steps: number): StepVector {
  const m = e.matching ?? ONE_TO_ONE;
  const swapped = m.card === 'one-to-many';
  const [many, one] = swapped ? [rhsIn, lhsIn] : [lhsIn, rhsIn];
  const sigs = sigIds(m, many, one);
  const oneAt = new Int32Array(sigs.count);
  const oneStamp = new Int32Array(sigs.count);
  const matchStamp = new Int32Array(sigs.count);
  const comparison = COMPARISONS.has(e.op);
  const filter = comparison && !e.returnBool;
  const pairs = new Map<number, number>();
  const labelIds = new Map<string, number>();
  const labelStamp: number[] = [];
  const out: StepSeries[] = [];
  const ranks: Float64Array[] = [];
  const pairLabelId: number[] = [];
  for (let t = 0; t < steps; t++) {
    const stamp = t + 1;
    for (const r of orderAt(one, t)) {
      const s = sigs.b[r]!;
      if (oneStamp[s] === stamp) throw duplicateOnOneSide(one.series[r]!.labels, m, swapped);
      oneStamp[s] = stamp;
      oneAt[s] = r;
    }
    for (const l of orderAt(many, t)) {
      const s = sigs.a[l]!;
      if (oneStamp[s] !== stamp) continue;
      const r = oneAt[s]!;
      const lv = many.series[l]!.values[t]!;
      const rv = one.series[r]!.values[t]!;
      const a = swapped ? rv : lv;
      const v = arith(e.op, a, swapped ? lv : rv);
      if (filter && v !== 1) continue;
      const pair = l * one.series.length + r;
      let idx = pairs.get(pair);
      if (idx === undefined) {
        const labels = derivedPair(e, many.series[l]!.labels, one.series[r]!.labels, (x, y) => resultLabels(x, y, e, m));
        const key = labelsKey(labels);
        let id = labelIds.get(key);
        if (id === undefined) labelIds.set(key, (id = labelIds.size));
        pairs.set(pair, (idx = out.length));
        pairLabelId.push(id);
        out.push({ labels, values: zeroedFloat64(steps), present: zeroedUint8(steps) });
        ranks.push(zeroedFloat64(steps));
      }
      if (m.card === 'one-to-one') {
        if (matchStamp[s] === stamp) throw new QueryError('execution', MANY_TO_ONE_IMPLICIT);
        matchStamp[s] = stamp;
      } else {
        const id = pairLabelId[idx]!;
        if (labelStamp[id] === stamp) throw new QueryError('execution', GROUPING_NOT_UNIQUE);
        labelStamp[id] = stamp;
      }
      const o = out[idx]!;
      o.values[t] = filter ? a : v;
      o.present[t] = 1;
      ranks[idx]![t] = many.ranks ? many.ranks[l]![t]! : l;
    }
  }
  return { type: 'vector', series: out, ranks };
}

/**
 * Binary operators between scalars and instant vectors with PromQL's vector matching: on/ignoring,
 * group_left/group_right (with copied labels), bool, and the set operators.
 */
import { labelsKey, labelsOf, METRIC_NAME, onlyLabels, withoutLabels } from '@fathom/model';
import type { Labels } from '@fathom/model';
import type { Binary, VectorMatching } from './ast.js';
import { QueryError } from './errors.js';
import { derived, derivedPair, dropName } from './memo.js';
import type { InstantValue, VectorSample } from './value.js';

export const COMPARISONS = new Set(['==', '!=', '>', '<', '>=', '<=']);

/** The operator on two floats; comparisons give 1/0. */
export function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return a % b;
    case '^': return a ** b;
    case 'atan2': return Math.atan2(a, b);
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    default: throw new QueryError('execution', `operator ${op} is not valid here`);
  }
}

export function applyBinary(e: Binary, lhs: InstantValue, rhs: InstantValue): InstantValue {
  if (lhs.type === 'scalar' && rhs.type === 'scalar') return { type: 'scalar', value: arith(e.op, lhs.value, rhs.value) };
  if (lhs.type === 'vector' && rhs.type === 'scalar') return { type: 'vector', samples: vectorScalar(e, lhs.samples, rhs.value, false) };
  if (lhs.type === 'scalar' && rhs.type === 'vector') return { type: 'vector', samples: vectorScalar(e, rhs.samples, lhs.value, true) };
  if (lhs.type === 'vector' && rhs.type === 'vector') return { type: 'vector', samples: vectorVector(e, lhs.samples, rhs.samples) };
  throw new QueryError('execution', 'binary expression must contain only scalar and instant vector types');
}

function vectorScalar(e: Binary, vec: readonly VectorSample[], s: number, scalarLeft: boolean): VectorSample[] {
  const out: VectorSample[] = [];
  const comparison = COMPARISONS.has(e.op);
  for (const v of vec) {
    const [a, b] = scalarLeft ? [s, v.value] : [v.value, s];
    const r = arith(e.op, a, b);
    if (comparison && !e.returnBool) {
      if (r === 1) out.push({ labels: v.labels, value: v.value });
    } else {
      out.push({ labels: dropsName(e) ? dropName(v.labels) : v.labels, value: r });
    }
  }
  return out;
}

export const ONE_TO_ONE: VectorMatching = { on: false, labels: [], card: 'one-to-one', include: [] };

function signatureOf(m: VectorMatching): (labels: Labels) => string {
  const compute = m.on ? (l: Labels) => labelsKey(onlyLabels(l, m.labels)) : (l: Labels) => labelsKey(withoutLabels(l, [METRIC_NAME, ...m.labels]));
  return (l) => derived(m, l, compute);
}

function vectorVector(e: Binary, lhsIn: readonly VectorSample[], rhsIn: readonly VectorSample[]): VectorSample[] {
  const m = e.matching ?? ONE_TO_ONE;
  const sig = signatureOf(m);
  if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return setOp(e.op, sig, lhsIn, rhsIn);
  const swapped = m.card === 'one-to-many';
  const [lhs, rhs] = swapped ? [rhsIn, lhsIn] : [lhsIn, rhsIn];
  const oneSide = new Map<string, VectorSample>();
  for (const r of rhs) {
    const s = sig(r.labels);
    if (oneSide.has(s)) throw duplicateOnOneSide(r.labels, m, swapped);
    oneSide.set(s, r);
  }
  const comparison = COMPARISONS.has(e.op);
  const matched = new Map<string, Labels>();
  const out: VectorSample[] = [];
  for (const l of lhs) {
    const s = sig(l.labels);
    const r = oneSide.get(s);
    if (!r) continue;
    const [a, b] = swapped ? [r.value, l.value] : [l.value, r.value];
    const v = arith(e.op, a, b);
    if (comparison && !e.returnBool && v !== 1) continue;
    const labels = derivedPair(e, l.labels, r.labels, (a, b) => resultLabels(a, b, e, m));
    if (m.card === 'one-to-one') {
      if (matched.has(s)) throw new QueryError('execution', MANY_TO_ONE_IMPLICIT);
      matched.set(s, labels);
    } else {
      const k = labelsKey(labels);
      if (matched.has(k)) throw new QueryError('execution', GROUPING_NOT_UNIQUE);
      matched.set(k, labels);
    }
    out.push({ labels, value: comparison && !e.returnBool ? a : v });
  }
  return out;
}

/** The error for two series of one match group on the "one" side at one step. */
export function duplicateOnOneSide(labels: Labels, m: VectorMatching, swapped: boolean): QueryError {
  const side = swapped ? 'left' : 'right';
  return new QueryError('execution', `found duplicate series for the match group ${formatSig(labels, m)} on the ${side} hand-side of the operation: [${labels[METRIC_NAME] ?? ''}${JSON.stringify(labels)}];many-to-many matching not allowed: matching labels must be unique on one side`);
}

export const MANY_TO_ONE_IMPLICIT = 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)';
export const GROUPING_NOT_UNIQUE = 'multiple matches for labels: grouping labels must ensure unique matches';

/** Operators whose result drops the metric name (atan2 keeps it, as in Prometheus 2). */
export function dropsName(e: Binary): boolean {
  return e.op === 'atan2' ? false : !COMPARISONS.has(e.op) || e.returnBool;
}

export function resultLabels(many: Labels, one: Labels, e: Binary, m: VectorMatching): Labels {
  const dropNameToo = dropsName(e);
  let out: Record<string, string | undefined> = { ...many };
  if (dropNameToo) out[METRIC_NAME] = undefined;
  if (m.card === 'one-to-one') {
    out = m.on ? { ...onlyLabels(out as Labels, m.labels) } : { ...withoutLabels(labelsOf(out), m.labels) };
  }
  for (const name of m.include) out[name] = one[name];
  return labelsOf(out);
}

function formatSig(labels: Labels, m: VectorMatching): string {
  const kept = m.on ? onlyLabels(labels, m.labels) : withoutLabels(labels, [METRIC_NAME, ...m.labels]);
  return `{${Object.entries(kept).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

function setOp(op: 'and' | 'or' | 'unless', sig: (l: Labels) => string, lhs: readonly VectorSample[], rhs: readonly VectorSample[]): VectorSample[] {
  const rightSigs = new Set(rhs.map((r) => sig(r.labels)));
  if (op === 'and') return lhs.filter((l) => rightSigs.has(sig(l.labels)));
  if (op === 'unless') return lhs.filter((l) => !rightSigs.has(sig(l.labels)));
  const leftSigs = new Set(lhs.map((l) => sig(l.labels)));
  return [...lhs, ...rhs.filter((r) => !leftSigs.has(sig(r.labels)))];
}

export { dropName } from './memo.js';

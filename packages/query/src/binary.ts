/** Binary operators between scalars and instant vectors, with PromQL's matching rules. */
import { labelsKey, labelsOf, METRIC_NAME, onlyLabels, withoutLabels } from '@fathom/model';
import type { Labels } from '@fathom/model';
import type { Binary } from './ast.js';
import { QueryError } from './errors.js';
import type { InstantValue, VectorSample } from './value.js';

export function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return a % b;
    case '^': return a ** b;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    default: throw new QueryError('execution', `operator ${op} is not valid here`);
  }
}

const COMPARISONS = new Set(['==', '!=', '>', '<', '>=', '<=']);

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
      out.push({ labels: dropName(v.labels), value: r });
    }
  }
  return out;
}

function signature(labels: Labels, e: Binary): string {
  const m = e.matching;
  const kept = m?.on ? onlyLabels(labels, m.labels) : withoutLabels(labels, [METRIC_NAME, ...(m?.labels ?? [])]);
  return labelsKey(kept);
}

function vectorVector(e: Binary, lhs: readonly VectorSample[], rhs: readonly VectorSample[]): VectorSample[] {
  if (e.op === 'and' || e.op === 'or' || e.op === 'unless') return setOp(e, lhs, rhs);
  const right = new Map<string, VectorSample>();
  for (const r of rhs) {
    const sig = signature(r.labels, e);
    if (right.has(sig)) throw new QueryError('execution', 'found duplicate series for the match group on the right hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side');
    right.set(sig, r);
  }
  const seen = new Set<string>();
  const out: VectorSample[] = [];
  const comparison = COMPARISONS.has(e.op);
  for (const l of lhs) {
    const sig = signature(l.labels, e);
    const r = right.get(sig);
    if (!r) continue;
    if (seen.has(sig)) throw new QueryError('execution', 'found duplicate series for the match group on the left hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side');
    seen.add(sig);
    const v = arith(e.op, l.value, r.value);
    if (comparison && !e.returnBool) {
      if (v === 1) out.push({ labels: resultLabels(l.labels, e, false), value: l.value });
    } else {
      out.push({ labels: resultLabels(l.labels, e, true), value: v });
    }
  }
  return out;
}

function resultLabels(labels: Labels, e: Binary, drop: boolean): Labels {
  const base = drop ? dropName(labels) : labels;
  if (e.matching?.on) return onlyLabels(base, e.matching.labels);
  if (e.matching) return withoutLabels(base, e.matching.labels);
  return base;
}

function setOp(e: Binary, lhs: readonly VectorSample[], rhs: readonly VectorSample[]): VectorSample[] {
  const rightSigs = new Set(rhs.map((r) => signature(r.labels, e)));
  if (e.op === 'and') return lhs.filter((l) => rightSigs.has(signature(l.labels, e)));
  if (e.op === 'unless') return lhs.filter((l) => !rightSigs.has(signature(l.labels, e)));
  const leftSigs = new Set(lhs.map((l) => signature(l.labels, e)));
  return [...lhs, ...rhs.filter((r) => !leftSigs.has(signature(r.labels, e)))];
}

export function dropName(labels: Labels): Labels {
  return labels[METRIC_NAME] === undefined ? labels : labelsOf({ ...labels, [METRIC_NAME]: undefined });
}

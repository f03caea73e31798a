/**
 * Evaluates an AST at one instant over series fetched beforehand. Pure: no I/O, no clock.
 */
import { isStaleMarker, labelsOf } from '@fathom/model';
import type { Sample } from '@fathom/model';
import type { SeriesData } from '@fathom/storage';
import { aggregate } from './aggregate.js';
import type { Call, Expr, VectorSelector } from './ast.js';
import { applyBinary, dropName } from './binary.js';
import { QueryError } from './errors.js';
import { FUNCTIONS } from './functions.js';
import type { InstantValue, VectorSample } from './value.js';

export class Evaluator {
  constructor(
    private readonly _data: ReadonlyMap<VectorSelector, readonly SeriesData[]>,
    private readonly _lookbackMs: number,
  ) {}

  eval(e: Expr, tMs: number): InstantValue {
    switch (e.kind) {
      case 'number':
        return { type: 'scalar', value: e.value };
      case 'vector':
        return { type: 'vector', samples: this._instant(e, tMs) };
      case 'matrix':
        return { type: 'matrix', series: this._range(e.vector, tMs, e.rangeMs) };
      case 'unary':
        return this._unary(e.op, this.eval(e.expr, tMs));
      case 'binary':
        return applyBinary(e, this.eval(e.lhs, tMs), this.eval(e.rhs, tMs));
      case 'aggregate':
        return { type: 'vector', samples: aggregate(e, this._vector(e.expr, tMs)) };
      case 'call':
        return this._call(e, tMs);
    }
  }

  private _vector(e: Expr, tMs: number): readonly VectorSample[] {
    const v = this.eval(e, tMs);
    if (v.type !== 'vector') throw new QueryError('execution', `expected instant vector, got ${v.type}`);
    return v.samples;
  }

  private _instant(sel: VectorSelector, tMs: number): VectorSample[] {
    const at = tMs - sel.offsetMs;
    const out: VectorSample[] = [];
    for (const s of this._data.get(sel) ?? []) {
      const i = upperBound(s.samples, at) - 1;
      const p = s.samples[i];
      if (!p || p.tMs <= at - this._lookbackMs || isStaleMarker(p.value)) continue;
      out.push({ labels: s.labels, value: p.value });
    }
    return out;
  }

  private _range(sel: VectorSelector, tMs: number, rangeMs: number): SeriesData[] {
    const end = tMs - sel.offsetMs;
    const out: SeriesData[] = [];
    for (const s of this._data.get(sel) ?? []) {
      const from = upperBound(s.samples, end - rangeMs);
      const to = upperBound(s.samples, end);
      const samples = s.samples.slice(from, to).filter((p) => !isStaleMarker(p.value));
      if (samples.length) out.push({ labels: s.labels, samples });
    }
    return out;
  }

  private _unary(op: '-' | '+', v: InstantValue): InstantValue {
    if (op === '+') return v;
    if (v.type === 'scalar') return { type: 'scalar', value: -v.value };
    if (v.type === 'vector') return { type: 'vector', samples: v.samples.map((s) => ({ labels: dropName(s.labels), value: -s.value })) };
    throw new QueryError('execution', 'unary minus on a range vector');
  }

  private _call(e: Call, tMs: number): InstantValue {
    const def = FUNCTIONS[e.func];
    const [arg] = e.args;
    if (!def) throw new QueryError('bad_data', `unknown function ${e.func}`);
    if (def.kind === 'range' && arg?.kind === 'matrix') {
      const out: VectorSample[] = [];
      const endMs = tMs - arg.vector.offsetMs;
      for (const s of this._range(arg.vector, tMs, arg.rangeMs)) {
        const v = def.fn({ samples: s.samples, startMs: endMs - arg.rangeMs, endMs });
        if (v !== undefined) out.push({ labels: e.func === 'last_over_time' ? s.labels : dropName(s.labels), value: v });
      }
      return { type: 'vector', samples: out };
    }
    if (def.kind === 'math' && arg) return { type: 'vector', samples: this._vector(arg, tMs).map((s) => ({ labels: dropName(s.labels), value: def.fn(s.value) })) };
    return this._special(e, tMs);
  }

  private _special(e: Call, tMs: number): InstantValue {
    const [arg] = e.args;
    if (e.func === 'time') return { type: 'scalar', value: tMs / 1000 };
    if (e.func === 'vector' && arg) {
      const v = this.eval(arg, tMs);
      return { type: 'vector', samples: [{ labels: labelsOf({}), value: v.type === 'scalar' ? v.value : NaN }] };
    }
    if (e.func === 'scalar' && arg) {
      const samples = this._vector(arg, tMs);
      return { type: 'scalar', value: samples.length === 1 ? (samples[0]?.value ?? NaN) : NaN };
    }
    throw new QueryError('bad_data', `function ${e.func} is not supported yet`);
  }
}

/** First index whose time is > t. */
function upperBound(samples: readonly Sample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((samples[mid]?.tMs ?? 0) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Evaluates an AST at one instant over series fetched beforehand. Pure: no I/O, no clock; the
 * caller's `checkpoint` enforces deadlines and cancellation between steps.
 */
import { isStaleMarker, labelsOf } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { ColumnsBuilder, sliceColumns } from '@fathom/storage';
import type { SeriesData } from '@fathom/storage';
import { aggregate } from './aggregate.js';
import { firstAbove, freshSamples } from './columns.js';
import type { At, Call, Expr, Subquery, VectorSelector } from './ast.js';
import { AGGREGATE_PARAM } from './ast.js';
import { applyBinary } from './binary.js';
import { dropName, keyOf } from './memo.js';
import { QueryError } from './errors.js';
import { callSpecial } from './eval-special.js';
import { DATE_FUNCTIONS, MATH_FUNCTIONS } from './fn-math.js';
import { RANGE_FUNCTIONS } from './fn-range.js';
import { coveredRangeMs, evalRangeFn, lookbackFor } from './rollup-windows.js';
import { KEEPS_NAME } from './functions.js';
import type { InstantValue, VectorSample } from './value.js';

export interface EvalContext {
  /** The query's start and end (for `@ start()` / `@ end()`). */
  readonly startMs: number;
  readonly endMs: number;
  readonly lookbackMs: number;
  /** Step of subqueries written without one (Prometheus: the global evaluation interval, 1m). */
  readonly defaultSubqueryStepMs: number;
  /** Called between steps; throws to stop (deadline, cancellation, sample budget). */
  readonly checkpoint: (samples: number) => void;
}

export class Evaluator {
  constructor(
    private readonly _data: ReadonlyMap<VectorSelector, readonly SeriesData[]>,
    private readonly _ctx: EvalContext,
  ) {}

  eval(e: Expr, tMs: number): InstantValue {
    switch (e.kind) {
      case 'number':
        return { type: 'scalar', value: e.value };
      case 'string':
        return { type: 'string', value: e.value };
      case 'vector':
        return { type: 'vector', samples: this._instant(e, tMs) };
      case 'matrix':
        return { type: 'matrix', series: this._range(e.vector, tMs, e.rangeMs) };
      case 'subquery':
        return { type: 'matrix', series: this.subquery(e, tMs) };
      case 'unary':
        return this._unary(e.op, this.eval(e.expr, tMs));
      case 'binary':
        return applyBinary(e, this.eval(e.lhs, tMs), this.eval(e.rhs, tMs));
      case 'aggregate': {
        const param = e.param && AGGREGATE_PARAM[e.op] ? this.eval(e.param, tMs) : undefined;
        const p = param?.type === 'scalar' || param?.type === 'string' ? param.value : undefined;
        return { type: 'vector', samples: aggregate(e, this.vector(e.expr, tMs), p) };
      }
      case 'call':
        return { ...this._call(e, tMs) };
    }
  }

  vector(e: Expr, tMs: number): readonly VectorSample[] {
    const v = this.eval(e, tMs);
    if (v.type !== 'vector') throw new QueryError('execution', `expected instant vector, got ${v.type}`);
    return v.samples;
  }

  scalar(e: Expr | undefined, tMs: number, fallback: number): number {
    if (!e) return fallback;
    const v = this.eval(e, tMs);
    return v.type === 'scalar' ? v.value : fallback;
  }

  matrix(e: Expr, tMs: number): { series: readonly SeriesData[]; startMs: number; endMs: number } {
    if (e.kind === 'matrix') {
      const endMs = this._time(e.vector.at, tMs) - e.vector.offsetMs;
      return { series: this._range(e.vector, tMs, e.rangeMs), startMs: endMs - e.rangeMs, endMs };
    }
    if (e.kind === 'subquery') {
      const endMs = this._time(e.at, tMs) - e.offsetMs;
      return { series: this.subquery(e, tMs), startMs: endMs - e.rangeMs, endMs };
    }
    throw new QueryError('execution', `expected range vector, got ${e.kind}`);
  }

  private _time(at: At | undefined, tMs: number): number {
    if (at === undefined) return tMs;
    if (at === 'start') return this._ctx.startMs;
    if (at === 'end') return this._ctx.endMs;
    return at.ms;
  }

  private _instant(sel: VectorSelector, tMs: number): VectorSample[] {
    const at = this._time(sel.at, tMs) - sel.offsetMs;
    const out: VectorSample[] = [];
    for (const s of this._data.get(sel) ?? []) {
      const i = firstAbove(s.samples.tMs, at) - 1;
      if (i < 0) continue;
      const pT = s.samples.tMs[i]!;
      const pV = s.samples.values[i]!;
      if (pT <= at - lookbackFor(s, this._ctx.lookbackMs) || isStaleMarker(pV)) continue;
      out.push({ labels: s.labels, value: pV, tMs: pT });
    }
    return out;
  }

  private _range(sel: VectorSelector, tMs: number, rangeMs: number): SeriesData[] {
    const end = this._time(sel.at, tMs) - sel.offsetMs;
    const out: SeriesData[] = [];
    let n = 0;
    for (const s of this._data.get(sel) ?? []) {
      const fresh = freshSamples(s);
      const from = firstAbove(fresh.tMs, end - coveredRangeMs(s, rangeMs));
      const to = firstAbove(fresh.tMs, end);
      const samples = sliceColumns(fresh, from, to);
      n += to - from;
      if (to > from) out.push(s.resolutionMs === undefined ? { labels: s.labels, samples } : { labels: s.labels, samples, resolutionMs: s.resolutionMs });
    }
    this._ctx.checkpoint(n);
    return out;
  }

  /** The subquery's inner expression at every step in (end - range, end], aligned to the step. */
  subquery(e: Subquery, tMs: number): SeriesData[] {
    const endMs = this._time(e.at, tMs) - e.offsetMs;
    const stepMs = e.stepMs > 0 ? e.stepMs : this._ctx.defaultSubqueryStepMs;
    const startMs = endMs - e.rangeMs;
    let t = Math.floor(startMs / stepMs) * stepMs;
    if (t <= startMs) t += stepMs;
    const series = new Map<string, { labels: Labels; samples: ColumnsBuilder }>();
    for (; t <= endMs; t += stepMs) {
      const v = this.eval(e.expr, t);
      const samples = v.type === 'scalar' ? [{ labels: labelsOf({}), value: v.value }] : v.type === 'vector' ? v.samples : [];
      for (const s of samples) {
        const key = keyOf(s.labels);
        let entry = series.get(key);
        if (!entry) series.set(key, (entry = { labels: s.labels, samples: new ColumnsBuilder(8) }));
        entry.samples.push(t, s.value);
      }
      this._ctx.checkpoint(samples.length);
    }
    return Array.from(series.values(), (e) => ({ labels: e.labels, samples: e.samples.finish() }));
  }

  private _unary(op: '-' | '+', v: InstantValue): InstantValue {
    if (op === '+') return v;
    if (v.type === 'scalar') return { type: 'scalar', value: -v.value };
    if (v.type === 'vector') return { type: 'vector', samples: v.samples.map((s) => ({ labels: dropName(s.labels), value: -s.value })) };
    throw new QueryError('execution', 'unary minus is only allowed on scalars and instant vectors');
  }

  private _call(e: Call, tMs: number): InstantValue {
    const range = RANGE_FUNCTIONS[e.func];
    if (range) {
      const matrixArg = e.args.find((a) => a.kind === 'matrix' || a.kind === 'subquery');
      if (!matrixArg) throw new QueryError('execution', `${e.func} needs a range vector`);
      const params = e.args.filter((a) => a !== matrixArg).map((a) => this.scalar(a, tMs, NaN));
      const m = this.matrix(matrixArg, tMs);
      const out: VectorSample[] = [];
      for (const s of m.series) {
        const v = evalRangeFn(e.func, range, s, m, params);
        if (v !== undefined) out.push({ labels: KEEPS_NAME.has(e.func) ? s.labels : dropName(s.labels), value: v });
      }
      return { type: 'vector', samples: unique(out, e.func) };
    }
    const math = MATH_FUNCTIONS[e.func] ?? DATE_FUNCTIONS[e.func];
    if (math) {
      const [arg, ...rest] = e.args;
      const params = rest.map((a) => this.scalar(a, tMs, NaN));
      if (e.func === 'clamp' && (params[1] ?? NaN) < (params[0] ?? NaN)) return { type: 'vector', samples: [] };
      const input = arg ? this.vector(arg, tMs) : [{ labels: labelsOf({}), value: tMs / 1000 }];
      return { type: 'vector', samples: unique(input.map((s) => ({ labels: dropName(s.labels), value: math(s.value, params) })), e.func) };
    }
    return callSpecial(this, e, tMs);
  }
}

/** Prometheus refuses a function result with two samples of one label set. */
export function unique(samples: VectorSample[], func: string): VectorSample[] {
  if (samples.length < 2) return samples;
  const seen = new Set<string>();
  for (const s of samples) {
    const k = keyOf(s.labels);
    if (seen.has(k)) throw new QueryError('execution', `vector cannot contain metrics with the same labelset (in ${func})`);
    seen.add(k);
  }
  return samples;
}

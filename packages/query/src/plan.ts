/**
 * Which data each selector of a query needs: walks the AST with the evaluation interval, widening
 * it through ranges, subqueries, offsets and `@`, and records the SelectHints a store may use.
 */
import type { SelectHints } from '@fathom/storage';
import type { At, Expr, VectorSelector } from './ast.js';

export interface SelectorPlan {
  /** Data needed, inclusive ms. */
  minMs: number;
  maxMs: number;
  hints: SelectHints;
}

export interface PlanContext {
  readonly startMs: number;
  readonly endMs: number;
  readonly stepMs: number;
  readonly lookbackMs: number;
  readonly defaultSubqueryStepMs: number;
}

export function planSelectors(e: Expr, ctx: PlanContext): Map<VectorSelector, SelectorPlan> {
  const out = new Map<VectorSelector, SelectorPlan>();
  walk(e, ctx.startMs, ctx.endMs, ctx.stepMs, undefined, ctx, out, true);
  return out;
}

function atTime(at: At | undefined, ctx: PlanContext): number | undefined {
  if (at === undefined) return undefined;
  if (at === 'start') return ctx.startMs;
  if (at === 'end') return ctx.endMs;
  return at.ms;
}

function add(out: Map<VectorSelector, SelectorPlan>, sel: VectorSelector, minMs: number, maxMs: number, hints: SelectHints): void {
  const p = out.get(sel);
  if (!p) out.set(sel, { minMs, maxMs, hints });
  else {
    p.minMs = Math.min(p.minMs, minMs);
    p.maxMs = Math.max(p.maxMs, maxMs);
    // read twice: every sample, not only those one grid's steps read
    if (p.hints.readAtSteps) p.hints = { ...p.hints, readAtSteps: false };
  }
}

/**
 * `onGrid`: the expression is evaluated at fromMs, fromMs + stepMs, … ≤ toMs (the query's own
 * steps, not a subquery's, whose steps are aligned differently); an instant selector there is read
 * only at those steps, shifted by its offset, or at its `@` time (SelectHints.readAtSteps).
 */
function walk(e: Expr, fromMs: number, toMs: number, stepMs: number, func: string | undefined, ctx: PlanContext, out: Map<VectorSelector, SelectorPlan>, onGrid: boolean): void {
  switch (e.kind) {
    case 'vector': {
      const at = atTime(e.at, ctx);
      const [a, b] = at === undefined ? [fromMs, toMs] : [at, at];
      const grid = onGrid ? { readAtSteps: true, ...(at === undefined ? {} : { stepMs: 0 }) } : {};
      add(out, e, a - e.offsetMs - ctx.lookbackMs, b - e.offsetMs, { startMs: a - e.offsetMs, endMs: b - e.offsetMs, stepMs, ...(func ? { func } : {}), ...grid });
      return;
    }
    case 'matrix': {
      const v = e.vector;
      const at = atTime(v.at, ctx);
      const [a, b] = at === undefined ? [fromMs, toMs] : [at, at];
      add(out, v, a - v.offsetMs - e.rangeMs, b - v.offsetMs, { startMs: a - v.offsetMs, endMs: b - v.offsetMs, stepMs, rangeMs: e.rangeMs, ...(func ? { func } : {}) });
      return;
    }
    case 'subquery': {
      const at = atTime(e.at, ctx);
      const [a, b] = at === undefined ? [fromMs, toMs] : [at, at];
      walk(e.expr, a - e.offsetMs - e.rangeMs, b - e.offsetMs, e.stepMs || ctx.defaultSubqueryStepMs, undefined, ctx, out, false);
      return;
    }
    case 'unary':
      return walk(e.expr, fromMs, toMs, stepMs, undefined, ctx, out, onGrid);
    case 'aggregate':
      if (e.param) walk(e.param, fromMs, toMs, stepMs, undefined, ctx, out, onGrid);
      return walk(e.expr, fromMs, toMs, stepMs, undefined, ctx, out, onGrid);
    case 'binary':
      walk(e.lhs, fromMs, toMs, stepMs, undefined, ctx, out, onGrid);
      return walk(e.rhs, fromMs, toMs, stepMs, undefined, ctx, out, onGrid);
    case 'call':
      for (const a of e.args) walk(a, fromMs, toMs, stepMs, e.func, ctx, out, onGrid);
      return;
    case 'number':
    case 'string':
      return;
  }
}

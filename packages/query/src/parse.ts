/**
 * PromQL text → {@link Expr}, using Prometheus' own grammar (@prometheus-io/lezer-promql) for the
 * syntax and building Fathom's AST from its tree. Constructs the engine does not evaluate yet are
 * rejected here with a message that names them, never evaluated wrongly.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { InvalidMatcherError, matcher, parseDurationMs } from '@fathom/model';
import type { MatchType, Matcher } from '@fathom/model';
import type { AggregateOp, ArithmeticOp, At, ComparisonOp, Expr, SetOp, VectorMatching, VectorSelector } from './ast.js';
import { AGGREGATE_OPS, AGGREGATE_PARAM, typeName, typeOf } from './ast.js';
import { parseError } from './errors.js';
import { FUNCTIONS } from './functions.js';

const MAX_DEPTH = 200;

export function parseQuery(query: string): Expr {
  const tree = parser.parse(query);
  let errorAt: number | undefined;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && errorAt === undefined) errorAt = n.from;
    },
  });
  if (errorAt !== undefined) {
    const fn = query[errorAt] === '(' ? /([a-zA-Z_][\w]*)\s*$/.exec(query.slice(0, errorAt)) : null;
    if (fn?.[1] && !FUNCTIONS[fn[1]]) throw parseError(query, fn.index, `unknown function with name ${JSON.stringify(fn[1])}`);
    throw parseError(query, errorAt, `unexpected ${describeAt(query, errorAt)}`);
  }
  const top = tree.topNode.firstChild;
  if (!top) throw parseError(query, 0, 'no expression found in input');
  return new Builder(query).build(top, 0);
}

function describeAt(query: string, pos: number): string {
  const rest = query.slice(pos).trim();
  return rest === '' ? 'end of input' : `character ${JSON.stringify(rest[0])}`;
}

const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };
const BINARY_OPS: Record<string, ArithmeticOp | ComparisonOp | SetOp> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^',
  Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
  And: 'and', Or: 'or', Unless: 'unless', Atan2: 'atan2',
};
const AGG_OPS = new Set<string>(AGGREGATE_OPS.filter((op) => op !== 'limitk'));

class Builder {
  constructor(private readonly _q: string) {}

  private _text(n: SyntaxNode): string {
    return this._q.slice(n.from, n.to);
  }

  private _fail(n: SyntaxNode, message: string): never {
    throw parseError(this._q, n.from, message);
  }

  build(n: SyntaxNode, depth: number): Expr {
    if (depth > MAX_DEPTH) this._fail(n, `expression nested deeper than ${MAX_DEPTH}`);
    const d = depth + 1;
    switch (n.name) {
      case 'NumberDurationLiteral':
        return { kind: 'number', pos: n.from, value: parseNumber(this._text(n)) };
      case 'ParenExpr':
        return this.build(this._only(n), d);
      case 'VectorSelector':
        return this._vector(n, 0);
      case 'MatrixSelector':
        return this._matrix(n);
      case 'OffsetExpr':
        return this._offset(n, d);
      case 'UnaryExpr':
        return this._unary(n, d);
      case 'BinaryExpr':
        return this._binary(n, d);
      case 'AggregateExpr':
        return this._aggregate(n, d);
      case 'FunctionCall':
        return this._call(n, d);
      case 'StringLiteral':
        return { kind: 'string', pos: n.from, value: unquote(this._text(n)) };
      case 'SubqueryExpr':
        return this._subquery(n, d);
      case 'StepInvariantExpr':
        return this._at(n, d);
      default:
        return this._fail(n, `${n.name} is not supported yet`);
    }
  }

  private _only(n: SyntaxNode): SyntaxNode {
    const c = n.firstChild;
    if (!c) this._fail(n, 'empty expression');
    return c;
  }

  private _vector(n: SyntaxNode, offsetMs: number): VectorSelector {
    const matchers: Matcher[] = [];
    const ident = n.getChild('Identifier');
    if (ident) matchers.push(matcher('__name__', '=', this._text(ident)));
    const list = n.getChild('LabelMatchers');
    for (let c = list?.firstChild ?? null; c; c = c.nextSibling) {
      if (c.name === 'UnquotedLabelMatcher' || c.name === 'QuotedLabelMatcher') matchers.push(this._matcher(c));
      else if (c.name === 'QuotedLabelName') matchers.push(matcher('__name__', '=', unquote(this._text(c))));
    }
    if (!matchers.some((m) => !m.matches(''))) this._fail(n, 'vector selector must contain at least one non-empty matcher');
    return { kind: 'vector', pos: n.from, matchers, offsetMs };
  }

  private _matcher(n: SyntaxNode): Matcher {
    const nameNode = n.getChild('LabelName') ?? n.getChild('QuotedLabelName');
    const op = n.getChild('MatchOp')?.firstChild;
    const value = n.getChild('StringLiteral');
    if (!nameNode || !op || !value) this._fail(n, 'malformed label matcher');
    const name = nameNode.name === 'QuotedLabelName' ? unquote(this._text(nameNode)) : this._text(nameNode);
    try {
      return matcher(name, MATCH_OPS[op.name] ?? '=', unquote(this._text(value)));
    } catch (err) {
      if (err instanceof InvalidMatcherError) this._fail(value, err.message);
      throw err;
    }
  }

  private _matrix(n: SyntaxNode): Expr {
    const vec = n.getChild('VectorSelector');
    const dur = n.getChild('DurationExpr');
    if (!vec || !dur) this._fail(n, 'ranges only allowed for vector selectors');
    return { kind: 'matrix', pos: n.from, vector: this._vector(vec, 0), rangeMs: this._duration(dur) };
  }

  private _duration(n: SyntaxNode): number {
    const text = this._text(n).trim();
    const ms = parseDurationMs(text) ?? (/^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : undefined);
    if (ms === undefined || ms <= 0) this._fail(n, `invalid duration ${JSON.stringify(text)}`);
    return ms;
  }

  private _offset(n: SyntaxNode, d: number): Expr {
    const durNode = n.getChild('OffsetDurationExpr');
    if (!durNode) this._fail(n, 'offset needs a duration');
    const negative = this._text(durNode).trim().startsWith('-');
    const ms = this._duration(negative ? (durNode.getChild('OffsetDurationExpr') ?? durNode.lastChild ?? durNode) : durNode) * (negative ? -1 : 1);
    return this._underSign(this._only(n), d, (inner) => this._withOffset(n, inner, ms));
  }

  /**
   * A modifier written after a signed selector binds to the selector, as in Prometheus:
   * `-up offset 5m` is `-(up offset 5m)`; a parenthesised operand, `-(up) offset 5m`, is not unwrapped.
   */
  private _underSign(node: SyntaxNode, d: number, apply: (inner: Expr) => Expr): Expr {
    const operand = node.name === 'UnaryExpr' ? node.lastChild : null;
    if (!operand || operand.name === 'ParenExpr') return apply(this.build(node, d));
    const expr = this._underSign(operand, d + 1, apply);
    if (typeOf(expr) === 'matrix') this._fail(node, 'unary expression only allowed on expressions of type scalar or instant vector');
    return { kind: 'unary', pos: node.from, op: this._text(node).trim().startsWith('-') ? '-' : '+', expr };
  }

  private _withOffset(n: SyntaxNode, inner: Expr, ms: number): Expr {
    const already = inner.kind === 'matrix' ? inner.vector.offsetMs : inner.kind === 'vector' || inner.kind === 'subquery' ? inner.offsetMs : 0;
    if (already !== 0) this._fail(n, 'offset may not be set multiple times');
    if (inner.kind === 'vector' || inner.kind === 'subquery') return { ...inner, offsetMs: ms };
    if (inner.kind === 'matrix') return { ...inner, vector: { ...inner.vector, offsetMs: ms } };
    return this._fail(n, 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
  }

  private _at(n: SyntaxNode, d: number): Expr {
    return this._underSign(this._only(n), d, (inner) => this._withAt(n, inner));
  }

  private _withAt(n: SyntaxNode, inner: Expr): Expr {
    const pre = n.getChild('AtModifierPreprocessors');
    let at: At;
    if (pre) at = pre.getChild('AtStart') ? 'start' : 'end';
    else {
      const lit = n.lastChild;
      const sec = lit ? Number(this._text(lit).trim()) : NaN;
      if (!lit || !Number.isFinite(sec)) this._fail(lit ?? n, `invalid @ timestamp ${lit ? JSON.stringify(this._text(lit)) : ''}`);
      at = { ms: Math.round(sec * 1000) };
    }
    const existing = inner.kind === 'matrix' ? inner.vector.at : inner.kind === 'vector' || inner.kind === 'subquery' ? inner.at : undefined;
    if (existing !== undefined) this._fail(n, '@ <timestamp> may not be set multiple times');
    if (inner.kind === 'vector' || inner.kind === 'subquery') return { ...inner, at };
    if (inner.kind === 'matrix') return { ...inner, vector: { ...inner.vector, at } };
    return this._fail(n, '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery');
  }

  private _subquery(n: SyntaxNode, d: number): Expr {
    const inner = n.firstChild;
    const durs = n.getChildren('DurationExpr');
    const range = durs[0];
    if (!inner || !range) this._fail(n, 'malformed subquery');
    const expr = this.build(inner, d);
    if (typeOf(expr) !== 'vector' && typeOf(expr) !== 'scalar') this._fail(n, `subquery is only allowed on instant vector, got ${typeName(typeOf(expr))} instead`);
    const step = durs[1];
    return { kind: 'subquery', pos: n.from, expr, rangeMs: this._duration(range), stepMs: step ? this._duration(step) : 0, offsetMs: 0 };
  }

  private _unary(n: SyntaxNode, d: number): Expr {
    const op = this._text(n).trim().startsWith('-') ? '-' : '+';
    const last = n.lastChild;
    if (!last) this._fail(n, 'unary operator without operand');
    const expr = this.build(last, d);
    if (typeOf(expr) === 'matrix') this._fail(n, 'unary expression only allowed on expressions of type scalar or instant vector');
    return { kind: 'unary', pos: n.from, op, expr };
  }

  private _binary(n: SyntaxNode, d: number): Expr {
    const lhsNode = n.firstChild;
    const rhsNode = n.lastChild;
    let opNode = lhsNode?.nextSibling ?? null;
    while (opNode && !(opNode.name in BINARY_OPS)) opNode = opNode.nextSibling;
    if (!lhsNode || !rhsNode || !opNode) this._fail(n, 'malformed binary expression');
    const op = BINARY_OPS[opNode.name] ?? '+';
    if (op === '^' && lhsNode.name === 'NumberDurationLiteral' && this._text(lhsNode).trim().startsWith('-')) {
      // Unary minus binds looser than ^ (-2 ^ 2 = -4), but the grammar lexes "-2" as one literal.
      const base = { kind: 'number' as const, pos: lhsNode.from, value: -parseNumber(this._text(lhsNode)) };
      const pow = { kind: 'binary' as const, pos: n.from, op, lhs: base, rhs: this.build(rhsNode, d), returnBool: false };
      return { kind: 'unary', pos: n.from, op: '-', expr: pow };
    }
    const lhs = this.build(lhsNode, d);
    const rhs = this.build(rhsNode, d);
    for (const side of [lhs, rhs]) if (typeOf(side) === 'matrix') this._fail(n, 'binary expression must contain only scalar and instant vector types');
    const returnBool = n.getChild('BoolModifier') !== null;
    const isComparison = ['==', '!=', '>', '<', '>=', '<='].includes(op);
    if (returnBool && !isComparison) this._fail(n, 'bool modifier can only be used on comparison operators');
    if (isComparison && !returnBool && typeOf(lhs) === 'scalar' && typeOf(rhs) === 'scalar') {
      this._fail(n, 'comparisons between scalars must use BOOL modifier');
    }
    if (['and', 'or', 'unless'].includes(op) && (typeOf(lhs) === 'scalar' || typeOf(rhs) === 'scalar')) {
      this._fail(n, `set operator "${op}" not allowed in binary scalar expression`);
    }
    const matching = this._matching(n);
    if (matching && matching.card !== 'one-to-one' && ['and', 'or', 'unless'].includes(op)) this._fail(n, `no grouping allowed for "${op}" operation`);
    if (matching && (typeOf(lhs) === 'scalar' || typeOf(rhs) === 'scalar')) this._fail(n, 'vector matching only allowed between instant vectors');
    const setMatching = matching && ['and', 'or', 'unless'].includes(op) ? { ...matching, card: 'many-to-many' as const } : matching;
    for (const side of [lhs, rhs]) if (typeOf(side) === 'string') this._fail(n, 'binary expression must contain only scalar and instant vector types');
    return { kind: 'binary', pos: n.from, op, lhs, rhs, returnBool, ...(setMatching ? { matching: setMatching } : {}) };
  }

  private _matching(n: SyntaxNode): VectorMatching | undefined {
    const clause = n.getChild('MatchingModifierClause');
    if (!clause) return undefined;
    const on = clause.getChild('On') !== null;
    const [labels, include] = clause.getChildren('GroupingLabels');
    const card = clause.getChild('GroupLeft') ? 'many-to-one' : clause.getChild('GroupRight') ? 'one-to-many' : 'one-to-one';
    const matching: VectorMatching = { on, labels: this._labelList(labels ?? null), card, include: card === 'one-to-one' ? [] : this._labelList(include ?? null) };
    if (on) for (const l of matching.include) if (matching.labels.includes(l)) this._fail(clause, `label "${l}" must not occur in ON and GROUP clause at once`);
    return matching;
  }

  private _labelList(n: SyntaxNode | null): string[] {
    const out: string[] = [];
    for (let c = n?.firstChild ?? null; c; c = c.nextSibling) {
      if (c.name === 'LabelName') out.push(this._text(c));
      else if (c.name === 'QuotedLabelName') out.push(unquote(this._text(c)));
    }
    return out;
  }

  private _aggregate(n: SyntaxNode, d: number): Expr {
    const opNode = n.getChild('AggregateOp');
    const op = opNode ? this._text(opNode).toLowerCase() : '';
    if (!opNode || !AGG_OPS.has(op)) return this._fail(opNode ?? n, `aggregation ${JSON.stringify(op)} is not supported yet`);
    const modifier = n.getChild('AggregateModifier');
    const body = n.getChild('FunctionCallBody');
    const args = this._args(body, d);
    const paramType = AGGREGATE_PARAM[op as AggregateOp];
    const want = paramType ? 2 : 1;
    if (args.length !== want) this._fail(n, `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`);
    const expr = args[want - 1];
    const param = paramType ? args[0] : undefined;
    if (!expr) this._fail(n, 'aggregation without an expression');
    if (typeOf(expr) !== 'vector') this._fail(n, `expected type instant vector in aggregation expression, got ${typeName(typeOf(expr))}`);
    if (param && paramType && typeOf(param) !== paramType) this._fail(n, `expected type ${typeName(paramType)} in aggregation parameter, got ${typeName(typeOf(param))}`);
    return {
      kind: 'aggregate',
      pos: n.from,
      op: op as AggregateOp,
      expr,
      ...(param ? { param } : {}),
      grouping: this._labelList(modifier?.getChild('GroupingLabels') ?? null),
      without: modifier?.getChild('Without') !== null && modifier !== null,
    };
  }

  private _args(body: SyntaxNode | null, d: number): Expr[] {
    const out: Expr[] = [];
    for (let c = body?.firstChild ?? null; c; c = c.nextSibling) {
      if (c.name === 'FunctionCallBody') out.push(...this._args(c, d));
      else if (c.type.isError || c.name === '(' || c.name === ')' || c.name === ',') continue;
      else out.push(this.build(c, d));
    }
    return out;
  }

  private _call(n: SyntaxNode, d: number): Expr {
    const ident = n.getChild('FunctionIdentifier');
    const name = ident ? this._text(ident) : '';
    const fn = FUNCTIONS[name];
    if (!fn) return this._fail(ident ?? n, `unknown function with name ${JSON.stringify(name)}`);
    const args = this._args(n.getChild('FunctionCallBody'), d);
    const max = fn.optional < 0 ? Infinity : fn.argTypes.length;
    const min = fn.optional < 0 ? fn.argTypes.length - 1 : fn.argTypes.length - fn.optional;
    if (args.length < min || args.length > max) {
      const expected = fn.optional === 0 ? `${min}` : fn.optional < 0 ? `at least ${min}` : `at most ${max}`;
      this._fail(n, `expected ${expected} argument(s) in call to "${name}", got ${args.length}`);
    }
    args.forEach((a, i) => {
      const want = fn.argTypes[Math.min(i, fn.argTypes.length - 1)] ?? 'vector';
      if (typeOf(a) !== want) this._fail(n, `expected type ${typeName(want)} in call to function "${name}", got ${typeName(typeOf(a))}`);
    });
    return { kind: 'call', pos: n.from, func: name, args };
  }
}

function parseNumber(text: string): number {
  const t = text.toLowerCase();
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t, 16);
  const asDuration = parseDurationMs(t);
  return asDuration !== undefined && !/^\d+$/.test(t) ? asDuration / 1000 : Number(t);
}

/** Unquotes a PromQL string literal: "…" and '…' with Go escapes, or `…` raw. */
export function unquote(lit: string): string {
  const q = lit[0];
  const body = lit.slice(1, -1);
  if (q === '`') return body;
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{3}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case 'u': return String.fromCharCode(parseInt(e.slice(1), 16));
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      default: return /^[0-7]{3}$/.test(e) ? String.fromCharCode(parseInt(e, 8)) : e;
    }
  });
}

/** The PromQL AST Fathom evaluates. Every node carries its source offset for error messages. */
import type { Matcher } from '@fathom/model';

export type Expr = NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | Subquery | Call | Aggregate | Binary | Unary;

/** The PromQL value types. */
export type ValueType = 'scalar' | 'string' | 'vector' | 'matrix';

interface Node {
  /** Offset of the node's first character in the query text. */
  readonly pos: number;
}

export interface NumberLiteral extends Node {
  readonly kind: 'number';
  readonly value: number;
}

export interface StringLiteral extends Node {
  readonly kind: 'string';
  readonly value: string;
}

/** The `@` modifier: a fixed time in ms, or the query's start or end. */
export type At = { readonly ms: number } | 'start' | 'end';

export interface VectorSelector extends Node {
  readonly kind: 'vector';
  readonly matchers: readonly Matcher[];
  readonly offsetMs: number;
  readonly at?: At;
}

export interface MatrixSelector extends Node {
  readonly kind: 'matrix';
  readonly vector: VectorSelector;
  readonly rangeMs: number;
}

/** `expr[range:step]`; `stepMs` 0 means the engine's default subquery step. */
export interface Subquery extends Node {
  readonly kind: 'subquery';
  readonly expr: Expr;
  readonly rangeMs: number;
  readonly stepMs: number;
  readonly offsetMs: number;
  readonly at?: At;
}

export interface Call extends Node {
  readonly kind: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
}

export const AGGREGATE_OPS = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'limitk'] as const;
export type AggregateOp = (typeof AGGREGATE_OPS)[number];
/** Aggregations that take a parameter before the vector, with its type. */
export const AGGREGATE_PARAM: Partial<Record<AggregateOp, ValueType>> = { topk: 'scalar', bottomk: 'scalar', quantile: 'scalar', count_values: 'string', limitk: 'scalar' };

export interface Aggregate extends Node {
  readonly kind: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  readonly param?: Expr;
  readonly grouping: readonly string[];
  readonly without: boolean;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';

export interface VectorMatching {
  readonly on: boolean;
  readonly labels: readonly string[];
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** group_left/group_right labels copied from the "one" side. */
  readonly include: readonly string[];
}

export interface Binary extends Node {
  readonly kind: 'binary';
  readonly op: ArithmeticOp | ComparisonOp | SetOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly returnBool: boolean;
  readonly matching?: VectorMatching;
}

export interface Unary extends Node {
  readonly kind: 'unary';
  readonly op: '-' | '+';
  readonly expr: Expr;
}

/** Function return types, for typeOf; filled by the function table. */
const returnTypes = new Map<string, ValueType>();
export function registerReturnType(func: string, type: ValueType): void {
  returnTypes.set(func, type);
}

/** The PromQL type an expression evaluates to. */
export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'matrix':
    case 'subquery':
      return 'matrix';
    case 'unary':
      return typeOf(e.expr);
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'call':
      return returnTypes.get(e.func) ?? 'vector';
    default:
      return 'vector';
  }
}

export function typeName(t: ValueType): string {
  return t === 'matrix' ? 'range vector' : t === 'vector' ? 'instant vector' : t;
}

/** The PromQL AST Fathom evaluates. Every node carries its source offset for error messages. */
import type { Matcher } from '@fathom/model';

export type Expr = NumberLiteral | VectorSelector | MatrixSelector | Call | Aggregate | Binary | Unary;

interface Node {
  /** Offset of the node's first character in the query text. */
  readonly pos: number;
}

export interface NumberLiteral extends Node {
  readonly kind: 'number';
  readonly value: number;
}

export interface VectorSelector extends Node {
  readonly kind: 'vector';
  readonly matchers: readonly Matcher[];
  readonly offsetMs: number;
}

export interface MatrixSelector extends Node {
  readonly kind: 'matrix';
  readonly vector: VectorSelector;
  readonly rangeMs: number;
}

export interface Call extends Node {
  readonly kind: 'call';
  readonly func: string;
  readonly args: readonly Expr[];
}

export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count';

export interface Aggregate extends Node {
  readonly kind: 'aggregate';
  readonly op: AggregateOp;
  readonly expr: Expr;
  readonly grouping: readonly string[];
  readonly without: boolean;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';

export interface VectorMatching {
  readonly on: boolean;
  readonly labels: readonly string[];
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

/** The PromQL type an expression evaluates to. */
export function typeOf(e: Expr): 'scalar' | 'vector' | 'matrix' {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'matrix':
      return 'matrix';
    case 'unary':
      return typeOf(e.expr);
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'call':
      return e.func === 'time' || e.func === 'scalar' ? 'scalar' : 'vector';
    default:
      return 'vector';
  }
}

export type { Aggregate, AggregateOp, Binary, Call, Expr, MatrixSelector, NumberLiteral, Unary, VectorSelector } from './ast.js';
export { typeOf } from './ast.js';
export { QueryError, parseError } from './errors.js';
export type { QueryErrorType } from './errors.js';
export { FUNCTIONS, extrapolatedRate, instantRate } from './functions.js';
export { parseQuery, unquote } from './parse.js';
export { DEFAULT_ENGINE_OPTIONS, QueryEngine } from './engine.js';
export type { EngineOptions } from './engine.js';
export type { InstantValue, QueryResult, VectorSample } from './value.js';

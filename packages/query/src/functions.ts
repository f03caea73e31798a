/**
 * Prometheus' function list: each function's signature (argument and return types, optional and
 * variadic arguments). The implementations live by family: fn-range.ts (range vectors), fn-math.ts
 * (element-wise and dates), fn-label.ts, fn-histogram.ts, and the evaluator for the few that need
 * the selector or the clock (absent, timestamp, time, vector, scalar, sort).
 */
import { registerReturnType } from './ast.js';
import type { ValueType } from './ast.js';
import { DATE_FUNCTIONS, MATH_FUNCTIONS } from './fn-math.js';
import { RANGE_FUNCTIONS } from './fn-range.js';
export { extrapolatedRate, instantRate } from './fn-range.js';

export type ArgType = ValueType;

export interface FunctionDef {
  readonly argTypes: readonly ArgType[];
  /** How many trailing arguments may be left out (Prometheus' "variadic"); -1: the last repeats. */
  readonly optional: number;
  readonly returns: ValueType;
}

const sig = (argTypes: ArgType[], returns: ValueType = 'vector', optional = 0): FunctionDef => ({ argTypes, returns, optional });

const table: Record<string, FunctionDef> = {
  time: sig([], 'scalar'),
  pi: sig([], 'scalar'),
  scalar: sig(['vector'], 'scalar'),
  vector: sig(['scalar']),
  absent: sig(['vector']),
  absent_over_time: sig(['matrix']),
  timestamp: sig(['vector']),
  sort: sig(['vector']),
  sort_desc: sig(['vector']),
  histogram_quantile: sig(['scalar', 'vector']),
  label_replace: sig(['vector', 'string', 'string', 'string', 'string']),
  label_join: sig(['vector', 'string', 'string', 'string'], 'vector', -1),
  clamp: sig(['vector', 'scalar', 'scalar']),
  clamp_min: sig(['vector', 'scalar']),
  clamp_max: sig(['vector', 'scalar']),
  round: sig(['vector', 'scalar'], 'vector', 1),
  quantile_over_time: sig(['scalar', 'matrix']),
  predict_linear: sig(['matrix', 'scalar']),
  holt_winters: sig(['matrix', 'scalar', 'scalar']),
  double_exponential_smoothing: sig(['matrix', 'scalar', 'scalar']),
  // Native-histogram functions: Fathom stores no native histograms, so they return nothing.
  histogram_count: sig(['vector']),
  histogram_sum: sig(['vector']),
  histogram_avg: sig(['vector']),
  histogram_stddev: sig(['vector']),
  histogram_stdvar: sig(['vector']),
  histogram_fraction: sig(['scalar', 'scalar', 'vector']),
};
for (const name of Object.keys(RANGE_FUNCTIONS)) table[name] ??= sig(['matrix']);
for (const name of Object.keys(MATH_FUNCTIONS)) table[name] ??= sig(['vector']);
for (const name of Object.keys(DATE_FUNCTIONS)) table[name] ??= sig(['vector'], 'vector', 1);

export const FUNCTIONS: Readonly<Record<string, FunctionDef>> = table;
for (const [name, def] of Object.entries(table)) registerReturnType(name, def.returns);

/** Functions whose result keeps the metric name (all others drop it). */
export const KEEPS_NAME = new Set(['last_over_time', 'sort', 'sort_desc', 'label_replace', 'label_join', 'vector', 'absent', 'absent_over_time']);

/** Element-wise functions on instant vectors: math, trigonometry, clamping, rounding, dates. */

/** An element-wise function: the sample value plus the call's scalar arguments. */
export type MathFn = (v: number, params: readonly number[]) => number;

const one = (fn: (v: number) => number): MathFn => (v) => fn(v);

export const MATH_FUNCTIONS: Readonly<Record<string, MathFn>> = {
  abs: one(Math.abs),
  ceil: one(Math.ceil),
  floor: one(Math.floor),
  sqrt: one(Math.sqrt),
  exp: one(Math.exp),
  ln: one(Math.log),
  log2: one(Math.log2),
  log10: one(Math.log10),
  sgn: one((v) => (v > 0 ? 1 : v < 0 ? -1 : v)),
  acos: one(Math.acos),
  acosh: one(Math.acosh),
  asin: one(Math.asin),
  asinh: one(Math.asinh),
  atan: one(Math.atan),
  atanh: one(Math.atanh),
  cos: one(Math.cos),
  cosh: one(Math.cosh),
  sin: one(Math.sin),
  sinh: one(Math.sinh),
  tan: one(Math.tan),
  tanh: one(Math.tanh),
  deg: one((v) => (v * 180) / Math.PI),
  rad: one((v) => (v * Math.PI) / 180),
  clamp: (v, [min = NaN, max = NaN]) => Math.max(min, Math.min(max, v)),
  clamp_min: (v, [min = NaN]) => Math.max(min, v),
  clamp_max: (v, [max = NaN]) => Math.min(max, v),
  round: (v, [toNearest = 1]) => {
    const inverse = 1 / toNearest;
    return Math.floor(v * inverse + 0.5) / inverse;
  },
};

/** Date functions of a value in Unix seconds (UTC); NaN/Inf stay as they are. */
const date = (fn: (d: Date) => number): MathFn => (v) => (Number.isFinite(v) ? fn(new Date(v * 1000)) : v);

export const DATE_FUNCTIONS: Readonly<Record<string, MathFn>> = {
  day_of_month: date((d) => d.getUTCDate()),
  day_of_week: date((d) => d.getUTCDay()),
  day_of_year: date((d) => Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1),
  days_in_month: date((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()),
  hour: date((d) => d.getUTCHours()),
  minute: date((d) => d.getUTCMinutes()),
  month: date((d) => d.getUTCMonth() + 1),
  year: date((d) => d.getUTCFullYear()),
};

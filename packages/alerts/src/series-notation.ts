/**
 * Prometheus' expanding notation for test series (promtool's `input_series.values`):
 * `1 2 _ stale 3+2x4 10-1x3 7x2 _x3` — `a+bxn` is a, a+b, …, a+n·b (n+1 values), `axn` repeats a
 * n+1 times, `_` is a missing sample, `stale` a staleness marker. Pure.
 */
/**
 * One entry per step: a number, `'stale'` for a staleness marker (kept apart: V8 arrays of doubles
 * canonicalize NaN and would lose the marker's bits), or undefined for a missing sample.
 */
export type SeriesValue = number | 'stale' | undefined;

export function expandSeriesValues(text: string): SeriesValue[] {
  const out: SeriesValue[] = [];
  for (const item of text.trim().split(/\s+/).filter((s) => s !== '')) {
    if (item === '_') {
      out.push(undefined);
      continue;
    }
    if (item === 'stale') {
      out.push('stale');
      continue;
    }
    const blank = /^_x(\d+)$/.exec(item);
    if (blank) {
      for (let i = 0; i < Number(blank[1]); i++) out.push(undefined);
      continue;
    }
    const m = /^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?Inf|NaN)(?:([-+])((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?))?(?:x(\d+))?$/.exec(item);
    if (!m) throw new Error(`bad series value ${JSON.stringify(item)} (expected e.g. 1, 1+2x3, 5x2, _, _x3, stale)`);
    const start = parseValue(m[1] ?? '');
    const step = m[2] ? (m[2] === '-' ? -1 : 1) * Number(m[3]) : 0;
    if (m[4] === undefined) {
      out.push(start);
      continue;
    }
    const n = Number(m[4]);
    // Repeated addition, as Prometheus does, so float steps give the same values.
    let v = start;
    for (let i = 0; i <= n; i++) {
      out.push(v);
      v += step;
    }
  }
  return out;
}

function parseValue(s: string): number {
  if (/^[+]?Inf$/.test(s)) return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  return Number(s);
}

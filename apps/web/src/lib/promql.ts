/** Building PromQL safely: label matchers from a scope, quoting, and placeholder substitution. Pure. */

/** A PromQL string literal (double-quoted, escaped). */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `a="x",b="y"` for the labels (sorted for stable URLs and tests); empty for none. */
export function matchers(labels: Readonly<Record<string, string>>, extra: readonly string[] = []): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${quote(labels[k]!)}`);
  return [...parts, ...extra].join(',');
}

/** `name{matchers}`, or `name` alone when there are none. */
export function selector(name: string, labels: Readonly<Record<string, string>>, extra: readonly string[] = []): string {
  const m = matchers(labels, extra);
  return m === '' ? name : `${name}{${m}}`;
}

/**
 * Replaces `$name` and `${name}` with variable values, and `$__range`/`$__rate_interval` with
 * durations. An unknown variable is left as written, so the server's parse error names it.
 */
export function substitute(expr: string, vars: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => {
    const name = a ?? b ?? '';
    return Object.prototype.hasOwnProperty.call(vars, name) ? vars[name]! : whole;
  });
}

/** Prometheus duration text for milliseconds, in whole seconds at least (`90000` → `90s`). */
export function durationText(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

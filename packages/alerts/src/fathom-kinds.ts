/**
 * Fathom's rule kinds, compiled to what the evaluator runs: a metric threshold on a scope with
 * segmentation and a no-data check become PromQL; an event condition stays a condition over the
 * EventStore. Pure.
 */
import type { EventCondition } from './rule-types.js';

export const THRESHOLD_FUNCTIONS = ['rate', 'irate', 'increase', 'delta', 'deriv', 'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'last_over_time', 'quantile_over_time'] as const;
export const THRESHOLD_AGGREGATES = ['sum', 'avg', 'min', 'max', 'count'] as const;
export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;

export interface ThresholdSpec {
  readonly metric: string;
  readonly scope: Readonly<Record<string, string>>;
  readonly function?: (typeof THRESHOLD_FUNCTIONS)[number];
  readonly windowMs?: number;
  readonly aggregate: (typeof THRESHOLD_AGGREGATES)[number];
  readonly by: readonly string[];
  readonly op: (typeof COMPARISONS)[number];
  readonly value: number;
}

export interface NoDataSpec {
  readonly metric: string;
  readonly scope: Readonly<Record<string, string>>;
  readonly by: readonly string[];
  readonly absentForMs: number;
  readonly lookbackMs: number;
}

/** `=~x`, `!=x`, `!~x` prefixes select the matcher type; anything else is equality. */
export function scopeMatcher(value: string): { op: '=' | '=~' | '!=' | '!~'; value: string } {
  for (const op of ['=~', '!=', '!~'] as const) if (value.startsWith(op)) return { op, value: value.slice(op.length) };
  return { op: '=', value };
}

export function selector(metric: string, scope: Readonly<Record<string, string>>): string {
  const parts = Object.keys(scope)
    .sort()
    .map((k) => {
      const m = scopeMatcher(scope[k] ?? '');
      return `${k}${m.op}${JSON.stringify(m.value)}`;
    });
  return `${metric}{${parts.join(',')}}`;
}

/** Prometheus' shortest duration text (`5m`, `1h30m`). */
export function durationText(ms: number): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  let rest = ms;
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * size;
    }
  }
  return out || '0s';
}

function by(labels: readonly string[]): string {
  return labels.length ? ` by (${labels.join(', ')})` : '';
}

/** `avg by (namespace, workload) (rate(m{namespace="prod"}[5m])) > 0.8` */
export function compileThreshold(t: ThresholdSpec): string {
  const sel = selector(t.metric, t.scope);
  const inner = t.function ? (t.function === 'quantile_over_time' ? `${t.function}(0.95, ${sel}[${durationText(t.windowMs ?? 0)}])` : `${t.function}(${sel}[${durationText(t.windowMs ?? 0)}])`) : sel;
  return `${t.aggregate}${by(t.by)} (${inner}) ${t.op} ${String(t.value)}`;
}

/**
 * Entities (the `by` values) with samples within `lookback` but none within `absent_for`:
 * `group by (host) (present_over_time(m[1h])) unless on (host) group by (host) (present_over_time(m[5m]))`.
 */
export function compileNoData(n: NoDataSpec): string {
  const sel = selector(n.metric, n.scope);
  const on = n.by.join(', ');
  return `group by (${on}) (present_over_time(${sel}[${durationText(n.lookbackMs)}])) unless on (${on}) group by (${on}) (present_over_time(${sel}[${durationText(n.absentForMs)}]))`;
}

/** The condition as text, for the rules API's `query` field: `events{reason="OOMKilled",namespace="prod"}[10m] >= 3 by (namespace)`. */
export function describeEvent(e: EventCondition): string {
  const scope: Record<string, string> = { ...e.scope, reason: e.reasons.length === 1 ? (e.reasons[0] ?? '') : `=~${e.reasons.join('|')}` };
  if (e.type) scope['type'] = e.type;
  if (e.source) scope['source'] = e.source;
  return `count${by(e.by)} (${selector('events', scope)}[${durationText(e.windowMs)}]) >= ${e.minCount}`;
}

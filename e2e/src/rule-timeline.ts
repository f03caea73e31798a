/**
 * Test support: when each alert of a set of rules fired and resolved over a time range, evaluated
 * with Fathom's PromQL engine every `stepMs` like a rule group (an alert fires once its expression
 * has returned its series for `for`; it resolves at the first evaluation without it). A stand-in
 * for scenario tests until they run through the alerts package's evaluator.
 */
import { formatLabels, labelsOf, parseDurationMs } from '@fathom/model';
import type { QueryEngine } from '@fathom/query';

export interface TimelineRule {
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface AlertSpan {
  readonly alertname: string;
  /** The alert's labels as `{a="b", …}`. */
  readonly labels: string;
  readonly firedAtMs: number;
  /** Undefined while still firing at the end of the range. */
  readonly resolvedAtMs?: number;
}

export async function alertTimeline(engine: QueryEngine, rules: readonly TimelineRule[], startMs: number, endMs: number, stepMs: number): Promise<AlertSpan[]> {
  const out: AlertSpan[] = [];
  for (const r of rules) {
    if (r.alert === undefined) continue;
    const forMs = parseDurationMs(r.for ?? '0s') ?? 0;
    const res = await engine.rangeQuery(r.expr, startMs, endMs, stepMs);
    if (res.resultType !== 'matrix') continue;
    for (const s of res.series) {
      const l: Record<string, string> = { ...s.labels, ...r.labels, alertname: r.alert };
      delete l['__name__'];
      const labels = formatLabels(labelsOf(l));
      let activeSince: number | undefined;
      let prev: number | undefined;
      let fired: number | undefined;
      const close = (atMs: number): void => {
        if (fired !== undefined) out.push({ alertname: r.alert ?? '', labels, firedAtMs: fired, resolvedAtMs: atMs });
        activeSince = fired = undefined;
      };
      for (const tMs of s.samples.tMs) {
        if (prev !== undefined && tMs - prev > stepMs) close(prev + stepMs);
        activeSince ??= tMs;
        if (fired === undefined && tMs - activeSince >= forMs) fired = tMs;
        prev = tMs;
      }
      if (prev !== undefined && prev + stepMs <= endMs) close(prev + stepMs);
      else if (fired !== undefined) out.push({ alertname: r.alert, labels, firedAtMs: fired });
    }
  }
  return out.sort((a, b) => a.firedAtMs - b.firedAtMs);
}

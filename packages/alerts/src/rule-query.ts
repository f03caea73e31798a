/**
 * A rule's condition at one instant, as a vector: PromQL through the QueryEngine, or an event
 * condition counted over the EventStore (events matching the reason/type/source/scope within the
 * window, grouped by the `by` labels; value = number of events).
 */
import { matcher } from '@fathom/model';
import type { Labels, Matcher } from '@fathom/model';
import { labelsOf } from '@fathom/model';
import type { EventStore } from '@fathom/events';
import type { QueryEngine } from '@fathom/query';
import { scopeMatcher } from './fathom-kinds.js';
import type { EventCondition } from './rule-types.js';

export interface RuleSample {
  readonly labels: Labels;
  readonly value: number;
}

/** Most events read for one event rule evaluation; more is an error (the count would be wrong). */
export const MAX_EVENTS_PER_RULE = 10_000;

export async function queryVector(engine: QueryEngine, expr: string, tsMs: number, signal?: AbortSignal): Promise<RuleSample[]> {
  const r = await engine.instantQuery(expr, tsMs, signal ? { signal } : {});
  if (r.resultType === 'vector') return r.samples.map((s) => ({ labels: s.labels, value: s.value }));
  if (r.resultType === 'scalar') return [{ labels: labelsOf({}), value: r.value }];
  throw new Error(`rule result is not a vector or scalar, got ${r.resultType}`);
}

export function eventMatchers(e: EventCondition): Matcher[] {
  const out: Matcher[] = [e.reasons.length === 1 ? matcher('reason', '=', e.reasons[0] ?? '') : matcher('reason', '=~', e.reasons.map(escapeRegex).join('|'))];
  if (e.type) out.push(matcher('type', '=', e.type));
  if (e.source) out.push(matcher('source', '=', e.source));
  for (const [k, v] of Object.entries(e.scope)) {
    const m = scopeMatcher(v);
    out.push(matcher(k, m.op, m.value));
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function queryEvents(events: EventStore | undefined, e: EventCondition, tsMs: number): Promise<RuleSample[]> {
  if (!events) throw new Error('event rules need an event store, and this evaluator has none');
  const found = await events.query({ startMs: tsMs - e.windowMs, endMs: tsMs, matchers: [eventMatchers(e)], limit: MAX_EVENTS_PER_RULE + 1 });
  if (found.length > MAX_EVENTS_PER_RULE) throw new Error(`more than ${MAX_EVENTS_PER_RULE} events match; narrow the scope`);
  const groups = new Map<string, { labels: Labels; n: number }>();
  for (const ev of found) {
    const labels: Record<string, string> = {};
    for (const b of e.by) {
      const v = ev.labels[b] ?? (b === 'reason' ? ev.reason : b === 'type' ? ev.type : b === 'source' ? ev.source : undefined);
      if (v !== undefined) labels[b] = v;
    }
    const l = labelsOf(labels);
    const key = JSON.stringify(l);
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { labels: l, n: 1 });
  }
  return [...groups.values()].filter((g) => g.n >= e.minCount).map((g) => ({ labels: g.labels, value: g.n }));
}

/**
 * Alert state changes as events (source `alert`): `AlertFiring` (Warning) when an alert starts
 * firing, `AlertResolved` (Normal) when it resolves; labels = the alert's labels, message = its
 * `summary` annotation (else `description`, else a sentence). Pure.
 */
import { EVENT_LIMITS } from '@fathom/events';
import type { FathomEvent } from '@fathom/events';
import { labelsOf } from '@fathom/model';
import type { Labels } from '@fathom/model';
import type { RuleTransition } from './group-eval.js';

export function toEvents(transitions: readonly RuleTransition[], tsMs: number, externalLabels: Labels): FathomEvent[] {
  const out: FathomEvent[] = [];
  for (const { rule, transition: t } of transitions) {
    const firing = t.to === 'firing';
    const resolved = t.from === 'firing' && t.to === 'inactive';
    if (!firing && !resolved) continue;
    const a = t.alert;
    const summary = a.annotations['summary'] ?? a.annotations['description'] ?? `${rule.name} ${firing ? 'is firing' : 'resolved'}`;
    out.push({
      atMs: tsMs,
      type: firing ? 'Warning' : 'Normal',
      reason: firing ? 'AlertFiring' : 'AlertResolved',
      message: summary.slice(0, EVENT_LIMITS.messageChars),
      source: 'alert',
      count: 1,
      object: { kind: 'Alert', name: rule.name.slice(0, EVENT_LIMITS.nameChars), ...(a.labels['namespace'] ? { namespace: a.labels['namespace'] } : {}) },
      labels: boundedLabels({ ...externalLabels, ...a.labels }),
    });
  }
  return out;
}

function boundedLabels(l: Record<string, string>): Labels {
  const out: Record<string, string> = {};
  for (const k of Object.keys(l).sort().slice(0, EVENT_LIMITS.labels)) out[k] = (l[k] ?? '').slice(0, EVENT_LIMITS.labelValueChars);
  return labelsOf(out);
}

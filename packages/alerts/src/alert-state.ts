/**
 * The alert state machine of one alerting rule, exactly Prometheus' (rules/alerting.go Eval):
 *
 * - a new result goes `pending` at the evaluation time (`activeAtMs`), and `firing` once it has
 *   been active for `for` (at once when `for` is 0);
 * - a result that disappears: a pending alert is dropped; a firing alert with `keep_firing_for`
 *   keeps firing until it has been missing that long, then resolves; otherwise it resolves
 *   (`inactive`, `resolvedAtMs`) and is kept 15 minutes so sinks hear about the resolution;
 * - a resolved alert whose condition comes back starts over as pending: it must pass `for` again
 *   (the flapping protection, together with `keep_firing_for`).
 *
 * Pure: takes the previous map and returns a new one plus the transitions.
 */
import type { Labels } from '@fathom/model';

export type AlertState = 'pending' | 'firing' | 'inactive';

export interface ActiveAlert {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly value: number;
  readonly state: AlertState;
  /** When it went pending. */
  readonly activeAtMs: number;
  readonly firedAtMs?: number;
  readonly resolvedAtMs?: number;
  /** Since when a firing alert is kept firing by `keep_firing_for` without its condition. */
  readonly keepFiringSinceMs?: number;
}

/** One result of the rule's condition at this evaluation, labels already final. */
export interface AlertCandidate {
  readonly key: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly value: number;
}

export interface AlertTransition {
  readonly alert: ActiveAlert;
  readonly from: AlertState | 'none';
  readonly to: AlertState | 'none';
}

export interface StepOptions {
  readonly forMs: number;
  readonly keepFiringForMs: number;
  /** How long a resolved alert is kept (and reported); Prometheus: 15 m. */
  readonly resolvedRetentionMs?: number;
}

export const RESOLVED_RETENTION_MS = 15 * 60_000;

export interface StepResult {
  readonly active: Map<string, ActiveAlert>;
  readonly transitions: AlertTransition[];
}

export function stepAlerts(prev: ReadonlyMap<string, ActiveAlert>, candidates: readonly AlertCandidate[], tsMs: number, opts: StepOptions): StepResult {
  const retention = opts.resolvedRetentionMs ?? RESOLVED_RETENTION_MS;
  const active = new Map(prev);
  const transitions: AlertTransition[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    seen.add(c.key);
    const old = active.get(c.key);
    if (old && old.state !== 'inactive') {
      const updated: { -readonly [K in keyof ActiveAlert]: ActiveAlert[K] } = { ...old, value: c.value, annotations: c.annotations };
      delete updated.keepFiringSinceMs;
      active.set(c.key, updated);
      continue;
    }
    const fresh: ActiveAlert = { labels: c.labels, annotations: c.annotations, value: c.value, state: 'pending', activeAtMs: tsMs };
    active.set(c.key, fresh);
    transitions.push({ alert: fresh, from: 'none', to: 'pending' });
  }
  for (const [key, a] of active) {
    if (seen.has(key)) {
      if (a.state === 'pending' && tsMs - a.activeAtMs >= opts.forMs) {
        const fired: ActiveAlert = { ...a, state: 'firing', firedAtMs: tsMs };
        active.set(key, fired);
        transitions.push({ alert: fired, from: 'pending', to: 'firing' });
      }
      continue;
    }
    let keepFiring = false;
    let current = a;
    if (a.state === 'firing' && opts.keepFiringForMs > 0) {
      current = { ...a, keepFiringSinceMs: a.keepFiringSinceMs ?? tsMs };
      active.set(key, current);
      keepFiring = tsMs - (current.keepFiringSinceMs ?? tsMs) < opts.keepFiringForMs;
    }
    if (keepFiring) continue;
    if (a.state === 'pending') {
      active.delete(key);
      transitions.push({ alert: a, from: 'pending', to: 'none' });
    } else if (a.state === 'firing') {
      const resolved: ActiveAlert = { ...current, state: 'inactive', resolvedAtMs: tsMs };
      active.set(key, resolved);
      transitions.push({ alert: resolved, from: 'firing', to: 'inactive' });
    } else if (a.resolvedAtMs !== undefined && tsMs - a.resolvedAtMs > retention) {
      active.delete(key);
    }
  }
  return { active, transitions };
}

/**
 * The seam between rule evaluation (`@fathom/alerts`) and notification (this package). Its shape
 * follows Alertmanager's `postableAlert` (labels, annotations, startsAt, endsAt, generatorURL), so
 * a channel can forward it to a real Alertmanager unchanged, and the evaluator can behave like
 * Prometheus towards Alertmanager: it re-sends every active alert each evaluation, and the sink
 * groups, de-duplicates and rate-limits.
 */
import type { Labels } from '@fathom/model';

export interface Alert {
  /** Identity: the rule's `alertname` plus the series' and the rule's labels. */
  readonly labels: Labels;
  /** Rendered templates (summary, description, runbook_url, …). */
  readonly annotations: Labels;
  /** When the alert started firing (not when it went pending), Unix ms. */
  readonly startsAtMs: number;
  /**
   * Set once the alert is resolved (then in the past). While firing, the evaluator sets it a few
   * evaluation intervals ahead, as Prometheus does, so a sink that stops hearing from the evaluator
   * resolves the alert by itself instead of keeping it firing forever.
   */
  readonly endsAtMs?: number;
  /** Link to the UI at the alert's scope and time range. */
  readonly generatorUrl: string;
}

/**
 * Contract: `send` never blocks and never throws for a channel's sake. It takes the current
 * active (and just-resolved) alerts of one evaluation; the implementation queues them (bounded,
 * drops counted) and delivers asynchronously. Sending the same alert again is expected and is
 * not a new notification.
 */
export interface AlertSink {
  send(alerts: readonly Alert[]): void;
}

/** Alertmanager's fingerprint idea: a stable key of an alert's labels (sorted `name=value`). */
export function alertKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

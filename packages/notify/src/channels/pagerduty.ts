/**
 * PagerDuty Events API v2: one event per group flush, `trigger` while any alert fires (PagerDuty
 * de-duplicates by `dedup_key`, derived from the group key), `resolve` when all have resolved.
 * 202 is success; 400 (an invalid event) is not retried; 429 and 5xx are.
 */
import { createHash } from 'node:crypto';
import type { DeliveryResult } from '../channel.js';
import type { PagerDutyChannelConfig } from '../config.js';
import { postForDelivery } from '../http-post.js';
import { PersonChannel } from './person-channel.js';
import type { Notification } from '../notification.js';
import { titleOf } from '../notification.js';
import { alertLine, counts } from '../text-render.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

export function pagerDutyDedupKey(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}

export function pagerDutyEvent(n: Notification, cfg: Pick<PagerDutyChannelConfig, 'routingKey' | 'severity'>): Record<string, unknown> {
  const dedupKey = pagerDutyDedupKey(n.groupKey);
  if (n.status === 'resolved') return { routing_key: cfg.routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const c = counts(n);
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const summary = `${titleOf(n)}: ${firing.map(alertLine).join('; ')}`;
  const sev = (cfg.severity ?? n.commonLabels['severity'] ?? 'error').toLowerCase();
  return {
    routing_key: cfg.routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: summary.length > 1024 ? `${summary.slice(0, 1023)}…` : summary,
      source: n.commonLabels['cluster'] ?? n.commonLabels['host'] ?? n.commonLabels['instance'] ?? 'fathom',
      severity: SEVERITIES.has(sev) ? sev : 'error',
      timestamp: new Date(Math.min(...firing.map((a) => a.startsAtMs))).toISOString(),
      ...(n.commonLabels['alertname'] ? { class: n.commonLabels['alertname'] } : {}),
      ...(n.commonLabels['namespace'] ? { group: n.commonLabels['namespace'] } : {}),
      ...(n.commonLabels['workload'] ? { component: n.commonLabels['workload'] } : {}),
      custom_details: { firing: c.firing, resolved: c.resolved, alerts: firing.map((a) => ({ labels: a.labels, annotations: a.annotations, url: a.generatorUrl })) },
    },
    client: 'Fathom',
    client_url: n.groupUrl,
    links: [{ href: n.groupUrl, text: 'Open in Fathom' }, ...firing.slice(0, 5).map((a) => ({ href: a.generatorUrl, text: alertLine(a).slice(0, 100) }))],
  };
}

export class PagerDutyChannel extends PersonChannel<PagerDutyChannelConfig> {
  readonly kind = 'pagerduty';

  deliver(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const body = JSON.stringify(pagerDutyEvent(n, this._cfg));
    return postForDelivery({ url: this._cfg.url ?? PAGERDUTY_EVENTS_URL, body, signal });
  }
}

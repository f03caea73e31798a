/**
 * Alertmanager's webhook payload, version "4" (docs/formats/notify-payloads-v1.md): anything
 * that accepts Alertmanager webhooks accepts Fathom's.
 */
import type { DeliveryResult } from '../channel.js';
import type { WebhookChannelConfig } from '../config.js';
import { postForDelivery } from '../http-post.js';
import { PersonChannel } from './person-channel.js';
import type { Notification } from '../notification.js';
import { rfc3339 } from '../wire-time.js';

export interface WebhookPayload {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly alerts: readonly {
    readonly status: 'firing' | 'resolved';
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly startsAt: string;
    readonly endsAt: string;
    readonly generatorURL: string;
    readonly fingerprint: string;
  }[];
  /** Fathom's addition: the UI at the group's scope and time range. */
  readonly fathomGroupURL: string;
}

/** Renders the v4 payload; `maxAlerts` 0 = all. */
export function webhookPayload(n: Notification, maxAlerts = 0): WebhookPayload {
  const kept = maxAlerts > 0 ? n.alerts.slice(0, maxAlerts) : n.alerts;
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: n.alerts.length - kept.length,
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: n.externalUrl,
    alerts: kept.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: rfc3339(a.startsAtMs),
      endsAt: rfc3339(a.endsAtMs),
      generatorURL: a.generatorUrl,
      fingerprint: a.fingerprint,
    })),
    fathomGroupURL: n.groupUrl,
  };
}

export class WebhookChannel extends PersonChannel<WebhookChannelConfig> {
  readonly kind = 'webhook';

  deliver(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const body = JSON.stringify(webhookPayload(n, this._cfg.maxAlerts ?? 0));
    return postForDelivery({ url: this._cfg.url, body, signal, ...(this._cfg.headers ? { headers: this._cfg.headers } : {}) });
  }
}

/**
 * Forwards alerts to a user's Alertmanager (`POST <url>/api/v2/alerts`, a JSON array of
 * `postableAlert`). A forwarder: every group flush is delivered (not deduplicated), so the
 * Alertmanager's own grouping, silences and resolve timeout see the alerts refreshed, as from
 * Prometheus. Firing alerts carry `endsAt` three group intervals ahead.
 */
import type { DeliveryResult, NotificationChannel } from '../channel.js';
import type { AlertmanagerChannelConfig } from '../config.js';
import { postForDelivery } from '../http-post.js';
import type { Notification } from '../notification.js';

export interface PostableAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
}

/** The postableAlert array for a notification; firing alerts end `firingEndsAfterMs` after it (three group intervals: a refresh comes every one). */
export function postableAlerts(n: Notification, firingEndsAfterMs: number): PostableAlert[] {
  return n.alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.startsAtMs).toISOString(),
    endsAt: new Date(a.status === 'resolved' && a.endsAtMs !== undefined ? a.endsAtMs : n.atMs + firingEndsAfterMs).toISOString(),
    generatorURL: a.generatorUrl,
  }));
}

export class AlertmanagerChannel implements NotificationChannel {
  readonly kind = 'alertmanager';
  readonly deduplicated = false;
  readonly sendResolved = true;
  private readonly _url: string;

  constructor(
    readonly name: string,
    cfg: AlertmanagerChannelConfig,
  ) {
    this._url = `${cfg.url.replace(/\/+$/, '')}/api/v2/alerts`;
  }

  deliver(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    return postForDelivery({ url: this._url, body: JSON.stringify(postableAlerts(n, 3 * n.groupIntervalMs)), signal });
  }
}

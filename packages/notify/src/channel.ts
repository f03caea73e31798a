/**
 * A notification channel: one configured destination (a webhook URL, a Slack hook, an SMTP
 * server, …). Channels only render and deliver; queueing, retries and timeouts are the
 * `ChannelWorker`'s, so every channel gets them the same way.
 */
import type { Notification } from './notification.js';

/** Expected outcomes are values: `retryable` is tried again with backoff, `failure` is not. */
export type DeliveryResult =
  | { readonly status: 'success' }
  | { readonly status: 'retryable'; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly status: 'failure'; readonly reason: string };

export interface NotificationChannel {
  /** `webhook`, `alertmanager`, `slack`, `pagerduty`, `email`. */
  readonly kind: string;
  /** Unique: `<receiver>/<kind>/<index>`; the key of its notification log and metrics. */
  readonly name: string;
  /** Whether resolved alerts are sent (when false they are left out, and all-resolved groups send nothing). */
  readonly sendResolved: boolean;
  /**
   * True for channels that notify people (deduplicated through the notification log). False for
   * forwarders (`alertmanager`): every group flush is delivered, refreshing the receiver's state.
   */
  readonly deduplicated: boolean;
  /**
   * Delivers one notification, once. Contract: never throws for an expected failure (network,
   * status code) — it returns a value; honours `signal` (aborted on timeout or shutdown).
   */
  deliver(n: Notification, signal: AbortSignal): Promise<DeliveryResult>;
  /** Releases connections (SMTP pools); optional. */
  close?(): Promise<void>;
}

/** Counters of one channel, exported as metrics. */
export interface ChannelStats {
  sent: number;
  failed: number;
  retried: number;
  /** Notifications dropped because the queue was full (oldest first). */
  dropped: number;
  /** Notifications replaced in the queue by a newer one for the same group (not lost). */
  coalesced: number;
  queueLength: number;
  queueCapacity: number;
  /** 1 while a notification is being delivered (attempts and backoff included), else 0. */
  inFlight: number;
  lastError: string;
}

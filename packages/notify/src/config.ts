/**
 * The notification configuration as this package consumes it. `@fathom/config` validates the YAML
 * (`server.notify`) into exactly this shape: durations in ms, matchers as `{ name, type, value }`.
 */
import type { MatcherSpec } from './matchers.js';

export interface RouteConfig {
  /** Receiver name; inherited from the parent route when absent (required on the root). */
  readonly receiver?: string | undefined;
  /** All must match; ignored on the root, which matches every alert. */
  readonly matchers?: readonly MatcherSpec[] | undefined;
  /** Labels that split alerts into groups; `['...']` = all labels (one group per alert). */
  readonly groupBy?: readonly string[] | undefined;
  readonly groupWaitMs?: number | undefined;
  readonly groupIntervalMs?: number | undefined;
  readonly repeatIntervalMs?: number | undefined;
  /** Keep looking at the following siblings after this route matched. */
  readonly continue?: boolean | undefined;
  /** Names of mute windows during which this route sends nothing (not inherited). */
  readonly muteWindows?: readonly string[] | undefined;
  /** Names of windows outside which this route sends nothing (not inherited). */
  readonly activeWindows?: readonly string[] | undefined;
  readonly routes?: readonly RouteConfig[] | undefined;
}

interface ChannelCommon {
  /** Send a notice when alerts resolve (default true; PagerDuty resolves incidents with it). */
  readonly sendResolved?: boolean | undefined;
  /** Per-attempt timeout (default 10 s). */
  readonly timeoutMs?: number | undefined;
}

export interface WebhookChannelConfig extends ChannelCommon {
  readonly url: string;
  /** Alerts per payload, 0 = all; the rest are counted in `truncatedAlerts`. */
  readonly maxAlerts?: number | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

export interface AlertmanagerChannelConfig extends ChannelCommon {
  /** Base URL of the Alertmanager (`http://am:9093`); alerts go to `<url>/api/v2/alerts`. */
  readonly url: string;
}

export interface SlackChannelConfig extends ChannelCommon {
  /** The incoming webhook URL. */
  readonly url: string;
  readonly channel?: string | undefined;
  readonly username?: string | undefined;
}

export interface PagerDutyChannelConfig extends ChannelCommon {
  readonly routingKey: string;
  /** Events API v2 endpoint (default https://events.pagerduty.com/v2/enqueue). */
  readonly url?: string | undefined;
  /** critical | error | warning | info; default: the alerts' `severity` label, else `error`. */
  readonly severity?: string | undefined;
}

export interface EmailChannelConfig extends ChannelCommon {
  readonly to: readonly string[];
  readonly from: string;
  /** SMTP server host and port. */
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465). */
  readonly secure?: boolean | undefined;
  /** Refuse to send without STARTTLS (default false). */
  readonly requireTls?: boolean | undefined;
  readonly auth?: { readonly user: string; readonly pass: string } | undefined;
}

export interface ReceiverConfig {
  readonly name: string;
  readonly webhook?: readonly WebhookChannelConfig[] | undefined;
  readonly alertmanager?: readonly AlertmanagerChannelConfig[] | undefined;
  readonly slack?: readonly SlackChannelConfig[] | undefined;
  readonly pagerduty?: readonly PagerDutyChannelConfig[] | undefined;
  readonly email?: readonly EmailChannelConfig[] | undefined;
}

export interface TimeIntervalConfig {
  /** `monday:friday`, `saturday`; empty = every day. */
  readonly weekdays?: readonly string[] | undefined;
  /** `{ start: '09:00', end: '17:00' }`, local time; empty = all day. */
  readonly times?: readonly { readonly start: string; readonly end: string }[] | undefined;
  /** IANA time zone, default UTC. */
  readonly location?: string | undefined;
}

export interface MuteWindowConfig {
  readonly name: string;
  readonly timeIntervals: readonly TimeIntervalConfig[];
}

export interface NotifyConfig {
  /** Base URL of the Fathom UI, for links in notifications (default: the server's own URL). */
  readonly externalUrl?: string | undefined;
  /** An alert not refreshed by the evaluator for this long resolves by itself (default 5 m). */
  readonly resolveTimeoutMs?: number | undefined;
  /** Notifications waiting per channel; past it the oldest is dropped and counted (default 1000). */
  readonly queueCapacity?: number | undefined;
  readonly receivers: readonly ReceiverConfig[];
  readonly route: RouteConfig;
  readonly muteWindows?: readonly MuteWindowConfig[] | undefined;
}

/** Defaults of Alertmanager's route. */
export const DEFAULT_ROUTE_TIMING = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 } as const;

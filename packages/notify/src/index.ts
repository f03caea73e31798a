export { alertKey } from './alert.js';
export type { Alert, AlertSink } from './alert.js';
export type { ChannelStats, DeliveryResult, NotificationChannel } from './channel.js';
export { ChannelWorker } from './channel-worker.js';
export type { ChannelWorkerOptions } from './channel-worker.js';
export { AlertmanagerChannel, postableAlerts } from './channels/alertmanager.js';
export type { PostableAlert } from './channels/alertmanager.js';
export { EmailChannel, classifySmtpError, emailMessage } from './channels/email.js';
export type { EmailMessage } from './channels/email.js';
export { PAGERDUTY_EVENTS_URL, PagerDutyChannel, pagerDutyDedupKey, pagerDutyEvent } from './channels/pagerduty.js';
export { SLACK_COLORS, SlackChannel, slackPayload } from './channels/slack.js';
export { WebhookChannel, webhookPayload } from './channels/webhook.js';
export type { WebhookPayload } from './channels/webhook.js';
export { DEFAULT_ROUTE_TIMING } from './config.js';
export type {
  AlertmanagerChannelConfig,
  EmailChannelConfig,
  MuteWindowConfig,
  NotifyConfig,
  PagerDutyChannelConfig,
  ReceiverConfig,
  RouteConfig,
  SlackChannelConfig,
  TimeIntervalConfig,
  WebhookChannelConfig,
} from './config.js';
export { NotifyConfigError, compileMuteWindows, createNotifier } from './build.js';
export type { NotifierDeps } from './build.js';
export { needsNotification } from './dedup.js';
export type { DedupInput, LogEntry } from './dedup.js';
export { Dispatcher } from './dispatcher.js';
export type { DispatcherOptions, DispatcherStats } from './dispatcher.js';
export { classify, parseRetryAfterMs, postForDelivery, redact } from './http-post.js';
export { compileMatchers, formatMatcher, parseMatcherText } from './matchers.js';
export type { MatcherSpec } from './matchers.js';
export { notifyMetrics } from './metrics.js';
export { checkTimeZone, inMuteWindow, inTimeInterval, localTime, parseTimeOfDay, parseWeekdays } from './mute-window.js';
export type { MuteWindow, TimeInterval, TimeRange } from './mute-window.js';
export { buildNotification, commonOf, fingerprintOf, groupUrl, isResolved, titleOf, toNotified } from './notification.js';
export type { AlertStatus, NotifiedAlert, Notification } from './notification.js';
export { NOTIFY_ALERTS_FORMAT_VERSION, alertsFile, loadAlerts, saveAlerts, saveAlertsInSlices } from './notify-state.js';
export { NOTIFY_LOG_FORMAT_VERSION, NotifyLogFile } from './notify-log.js';
export type { StoredLogEntry } from './notify-log.js';
export { allRoutes, compileRoute, groupKeyOf, groupLabelsOf, matchRoutes } from './route.js';
export type { RouteNode } from './route.js';
export { SilenceMatcher, SilenceValidationError, parseSilenceInput, silenceState } from './silence.js';
export type { Silence, SilenceInput, SilenceState } from './silence.js';
export { SILENCES_FORMAT_VERSION, SilenceStore } from './silence-store.js';
export type { SilenceStoreOptions, SilenceView } from './silence-store.js';

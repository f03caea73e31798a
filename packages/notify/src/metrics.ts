/** The dispatcher's and channels' self-metrics, `fathom_notify_*`. */
import { MetricSetBuilder } from '@fathom/model';
import type { MetricSet } from '@fathom/model';
import type { ChannelStats } from './channel.js';
import type { DispatcherStats } from './dispatcher.js';

export function notifyMetrics(d: DispatcherStats, channels: ReadonlyMap<string, { kind: string; receiver: string; stats: ChannelStats }>): MetricSet {
  const b = new MetricSetBuilder()
    .describe('fathom_notify_alerts_received_total', 'counter', 'Alerts received from the evaluator (re-sends included).')
    .describe('fathom_notify_alerts_refused_total', 'counter', 'Alerts refused because the dispatcher held its maximum.')
    .describe('fathom_notify_alerts', 'gauge', 'Alerts held by the dispatcher (firing and not yet collected resolved).')
    .describe('fathom_notify_groups', 'gauge', 'Alert groups.')
    .describe('fathom_notify_flushes_total', 'counter', 'Group flushes.')
    .describe('fathom_notify_silenced_total', 'counter', 'Alerts left out of a flush by a silence.')
    .describe('fathom_notify_muted_flushes_total', 'counter', 'Flushes that sent nothing because of a mute window.')
    .describe('fathom_notify_save_errors_total', 'counter', 'Failed saves of the held alerts (retried at the next save tick).')
    .describe('fathom_notify_notifications_sent_total', 'counter', 'Notifications delivered, per channel.')
    .describe('fathom_notify_notifications_failed_total', 'counter', 'Notifications given up after their attempts (sent again at a later flush), per channel.')
    .describe('fathom_notify_notifications_retried_total', 'counter', 'Delivery retries, per channel.')
    .describe('fathom_notify_notifications_dropped_total', 'counter', 'Notifications dropped from a full queue, per channel.')
    .describe('fathom_notify_queue_length', 'gauge', 'Notifications waiting, per channel.')
    .describe('fathom_notify_queue_capacity', 'gauge', 'Queue bound, per channel.');
  b.add('fathom_notify_alerts_received_total', {}, d.alertsReceived);
  b.add('fathom_notify_alerts_refused_total', {}, d.alertsRefused);
  b.add('fathom_notify_alerts', {}, d.alertsHeld);
  b.add('fathom_notify_groups', {}, d.groups);
  b.add('fathom_notify_flushes_total', {}, d.flushes);
  b.add('fathom_notify_silenced_total', {}, d.suppressedBySilence);
  b.add('fathom_notify_muted_flushes_total', {}, d.mutedFlushes);
  b.add('fathom_notify_save_errors_total', {}, d.saveErrors);
  for (const [channel, { kind, receiver, stats: s }] of channels) {
    const l = { channel, kind, receiver };
    b.add('fathom_notify_notifications_sent_total', l, s.sent);
    b.add('fathom_notify_notifications_failed_total', l, s.failed);
    b.add('fathom_notify_notifications_retried_total', l, s.retried);
    b.add('fathom_notify_notifications_dropped_total', l, s.dropped);
    b.add('fathom_notify_queue_length', l, s.queueLength);
    b.add('fathom_notify_queue_capacity', l, s.queueCapacity);
  }
  return b.build();
}

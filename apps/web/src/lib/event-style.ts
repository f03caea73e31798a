/**
 * How an event looks on charts and in the events list: alert state changes (source `alert`,
 * reasons AlertFiring / AlertResolved / AlertPending) apart from Kubernetes events, firing apart
 * from resolved. Pure.
 */
import type { KubeEvent } from './prom-client.js';

export type EventKind = 'alert-firing' | 'alert-resolved' | 'alert-pending' | 'warning' | 'normal';

export interface EventStyle {
  readonly kind: EventKind;
  /** Marker colour. */
  readonly color: string;
  /** Vertical line across the plot (and its colour), or none. */
  readonly line: string | undefined;
  /** Short title for the list. */
  readonly title: string;
}

export function eventKind(e: Pick<KubeEvent, 'source' | 'reason' | 'type'>): EventKind {
  if (e.source === 'alert') {
    if (e.reason === 'AlertResolved') return 'alert-resolved';
    if (e.reason === 'AlertPending') return 'alert-pending';
    return 'alert-firing';
  }
  return e.type === 'Warning' ? 'warning' : 'normal';
}

const STYLES: Readonly<Record<EventKind, Omit<EventStyle, 'title'>>> = {
  'alert-firing': { kind: 'alert-firing', color: '#b91c1c', line: 'rgba(185, 28, 28, 0.75)' },
  'alert-resolved': { kind: 'alert-resolved', color: '#15803d', line: 'rgba(21, 128, 61, 0.6)' },
  'alert-pending': { kind: 'alert-pending', color: '#d97706', line: undefined },
  warning: { kind: 'warning', color: '#dc2626', line: 'rgba(220, 38, 38, 0.3)' },
  normal: { kind: 'normal', color: '#94a3b8', line: undefined },
};

const ALERT_TITLES: Readonly<Partial<Record<EventKind, string>>> = { 'alert-firing': 'firing', 'alert-resolved': 'resolved', 'alert-pending': 'pending' };

export function eventStyle(e: KubeEvent): EventStyle {
  const kind = eventKind(e);
  const alertState = ALERT_TITLES[kind];
  const title = alertState === undefined ? e.reason : `${e.labels.alertname ?? e.object.name} ${alertState}`;
  return { ...STYLES[kind], title };
}

/** Alert events first (they are few and matter most), then by time: the drawing order. */
export function isAlertEvent(e: Pick<KubeEvent, 'source'>): boolean {
  return e.source === 'alert';
}

/**
 * A notification: one group's alerts at one flush, for one receiver. Channels render it into their
 * wire formats (docs/formats/notify-payloads-v1.md).
 */
import { createHash } from 'node:crypto';
import type { Labels } from '@fathom/model';
import type { Alert } from './alert.js';
import { alertKey } from './alert.js';

export type AlertStatus = 'firing' | 'resolved';

export interface NotifiedAlert {
  /** 16 hex digits of a hash of the labels: stable identity across restarts and channels. */
  readonly fingerprint: string;
  readonly status: AlertStatus;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAtMs: number;
  /** Set for resolved alerts (when they resolved). */
  readonly endsAtMs?: number;
  /** Link to the UI at the alert's scope and time range. */
  readonly generatorUrl: string;
}

export interface Notification {
  readonly receiver: string;
  /** `<route id>:{group labels}`, stable per group (PagerDuty's dedup key is derived from it). */
  readonly groupKey: string;
  readonly groupLabels: Labels;
  /** `firing` when any alert fires. */
  readonly status: AlertStatus;
  /** Firing first, then resolved; each set sorted by start. */
  readonly alerts: readonly NotifiedAlert[];
  readonly commonLabels: Labels;
  readonly commonAnnotations: Labels;
  /** The Fathom UI's base URL. */
  readonly externalUrl: string;
  /** Link to the UI at the group's common scope and the alerts' time range. */
  readonly groupUrl: string;
  /** When the flush built it, Unix ms. */
  readonly atMs: number;
  /** The route's group interval: the next flush of this group is this long after `atMs`. */
  readonly groupIntervalMs: number;
}

/** The fingerprint of an alert's labels. */
export function fingerprintOf(labels: Labels): string {
  return createHash('sha256').update(alertKey(labels)).digest('hex').slice(0, 16);
}

/** Resolved at `nowMs`: `endsAtMs` set and not after now. */
export function isResolved(a: Alert, nowMs: number): boolean {
  return a.endsAtMs !== undefined && a.endsAtMs <= nowMs;
}

export function toNotified(a: Alert, nowMs: number): NotifiedAlert {
  const resolved = isResolved(a, nowMs);
  return {
    fingerprint: fingerprintOf(a.labels),
    status: resolved ? 'resolved' : 'firing',
    labels: a.labels,
    annotations: a.annotations,
    startsAtMs: a.startsAtMs,
    ...(resolved && a.endsAtMs !== undefined ? { endsAtMs: a.endsAtMs } : {}),
    generatorUrl: a.generatorUrl,
  };
}

/** Labels (name and value) shared by every set; `{}` for no sets. */
export function commonOf(sets: readonly Labels[]): Labels {
  const [first, ...rest] = sets;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) if (rest.every((s) => s[k] === v)) out[k] = v;
  return out;
}

export interface BuildInput {
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Labels;
  readonly alerts: readonly Alert[];
  readonly externalUrl: string;
  readonly nowMs: number;
  readonly groupIntervalMs: number;
}

export function buildNotification(b: BuildInput): Notification {
  const notified = b.alerts.map((a) => toNotified(a, b.nowMs));
  const firing = notified.filter((a) => a.status === 'firing').sort(byStart);
  const resolved = notified.filter((a) => a.status === 'resolved').sort(byStart);
  const alerts = [...firing, ...resolved];
  const commonLabels = commonOf(alerts.map((a) => a.labels));
  return {
    receiver: b.receiver,
    groupKey: b.groupKey,
    groupLabels: b.groupLabels,
    status: firing.length > 0 ? 'firing' : 'resolved',
    alerts,
    commonLabels,
    commonAnnotations: commonOf(alerts.map((a) => a.annotations)),
    externalUrl: b.externalUrl,
    groupUrl: groupUrl(b.externalUrl, commonLabels, alerts, b.nowMs),
    atMs: b.nowMs,
    groupIntervalMs: b.groupIntervalMs,
  };
}

function byStart(a: NotifiedAlert, b: NotifiedAlert): number {
  return a.startsAtMs - b.startsAtMs || a.fingerprint.localeCompare(b.fingerprint);
}

const LOGICAL = ['cluster', 'namespace', 'workload', 'pod', 'container'];
const MARGIN_MS = 30 * 60_000;

/**
 * The UI link of a group (apps/web's URL state): the deepest scope shared by every alert in the
 * logical grouping (cluster › namespace › workload › pod › container), or the host, and an
 * absolute range from 30 min before the first start to 30 min after the last end (or now).
 */
export function groupUrl(externalUrl: string, common: Labels, alerts: readonly NotifiedAlert[], nowMs: number): string {
  const q = new URLSearchParams();
  const path: string[] = [];
  for (const level of LOGICAL) {
    const v = common[level];
    if (v === undefined) break;
    path.push(v);
  }
  if (path.length === 0 && common['host'] !== undefined) {
    q.set('group', 'hosts');
    path.push(common['host']);
  }
  for (const p of path) q.append('at', p);
  const startMs = Math.min(...alerts.map((a) => a.startsAtMs), nowMs);
  const endMs = alerts.some((a) => a.status === 'firing') ? nowMs : Math.max(...alerts.map((a) => a.endsAtMs ?? nowMs));
  q.set('from', String(startMs - MARGIN_MS));
  q.set('to', String(endMs + MARGIN_MS));
  return `${externalUrl.replace(/\/+$/, '')}/?${q.toString()}`;
}

/** `[FIRING:2] HighLatency (namespace="prod")`: subject of e-mails and titles of chat messages. */
export function titleOf(n: Notification): string {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const name = n.commonLabels['alertname'] ?? n.groupLabels['alertname'] ?? 'alerts';
  const scope = Object.entries(n.groupLabels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  const status = n.status === 'firing' ? `FIRING:${firing}` : 'RESOLVED';
  return `[${status}] ${name}${scope ? ` (${scope})` : ''}`;
}

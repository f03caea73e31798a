/**
 * The alerts the dispatcher holds, `<dir>/notify-alerts.json` (docs/formats/notify-state-v1.md), so
 * resolve notices that are due survive a restart. Replaced atomically; the notification log is
 * `notify-log.ts`.
 */
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import type { Alert } from './alert.js';
import { writeFileAtomic } from '@fathom/kit';
import { readJsonFile, writeJsonAtomic } from './state-file.js';

export const NOTIFY_ALERTS_FORMAT_VERSION = 1;

export function alertsFile(dir: string): string {
  return join(dir, 'notify-alerts.json');
}

export function saveAlerts(dir: string, alerts: readonly Alert[], fsync: boolean, nowMs: number): void {
  writeJsonAtomic(alertsFile(dir), { version: NOTIFY_ALERTS_FORMAT_VERSION, savedAtMs: nowMs, alerts }, fsync);
}

/** Alerts encoded between two turns of the event loop by {@link saveAlertsInSlices}. */
const SLICE_ALERTS = 1000;

/**
 * The same file as {@link saveAlerts}, encoded {@link SLICE_ALERTS} alerts at a time with a turn
 * of the event loop between, and written without blocking it: for periodic saves of many alerts.
 */
export async function saveAlertsInSlices(dir: string, alerts: readonly Alert[], fsync: boolean, nowMs: number): Promise<void> {
  const parts: string[] = [];
  for (let i = 0; i < alerts.length; i += SLICE_ALERTS) {
    parts.push(alerts.slice(i, i + SLICE_ALERTS).map((a) => JSON.stringify(a)).join(','));
    await setImmediate();
  }
  const text = `{"version":${NOTIFY_ALERTS_FORMAT_VERSION},"savedAtMs":${JSON.stringify(nowMs)},"alerts":[${parts.join(',')}]}\n`;
  await writeFileAtomic(alertsFile(dir), text, fsync);
}

/** Loads the held alerts; an absent file is none; a damaged one throws naming the file and field. */
export function loadAlerts(dir: string): Alert[] {
  const path = alertsFile(dir);
  const data = readJsonFile(path);
  if (data === undefined) return [];
  const o = data as { version?: unknown; alerts?: unknown };
  if (o.version !== NOTIFY_ALERTS_FORMAT_VERSION) throw new Error(`${path}: unsupported version ${JSON.stringify(o.version)} (expected ${NOTIFY_ALERTS_FORMAT_VERSION})`);
  if (!Array.isArray(o.alerts)) throw new Error(`${path}: expected an "alerts" array`);
  return (o.alerts as unknown[]).map((a, i) => checkAlert(a, `${path}: alerts[${i}]`));
}

function checkAlert(a: unknown, where: string): Alert {
  const o = a as Partial<Record<keyof Alert, unknown>> | null;
  if (!o || !isStringRecord(o.labels) || !isStringRecord(o.annotations) || typeof o.startsAtMs !== 'number' || typeof o.generatorUrl !== 'string') {
    throw new Error(`${where}: expected {labels, annotations, startsAtMs, endsAtMs?, generatorUrl}`);
  }
  return { labels: o.labels, annotations: o.annotations, startsAtMs: o.startsAtMs, generatorUrl: o.generatorUrl, ...(typeof o.endsAtMs === 'number' ? { endsAtMs: o.endsAtMs } : {}) };
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/**
 * The dispatcher's durable state in `<dir>/notify-state.json` (docs/formats/notify-state-v1.md):
 * the alerts it holds (so resolve notices that are due survive a restart) and the notification
 * log (what each channel was last told about each group, so a restart re-sends nothing).
 */
import { join } from 'node:path';
import type { Alert } from './alert.js';
import type { LogEntry } from './dedup.js';
import { readJsonFile, writeJsonAtomic } from './state-file.js';

export const NOTIFY_STATE_FORMAT_VERSION = 1;

export interface StoredLogEntry extends LogEntry {
  readonly channel: string;
  readonly groupKey: string;
}

export interface NotifyState {
  readonly alerts: readonly Alert[];
  readonly log: readonly StoredLogEntry[];
}

export function stateFile(dir: string): string {
  return join(dir, 'notify-state.json');
}

export function saveState(dir: string, state: NotifyState, fsync: boolean, nowMs: number): void {
  writeJsonAtomic(stateFile(dir), { version: NOTIFY_STATE_FORMAT_VERSION, savedAtMs: nowMs, alerts: state.alerts, log: state.log }, fsync);
}

/** Loads the state; an absent file is an empty state; a damaged one throws naming the file and field. */
export function loadState(dir: string): NotifyState {
  const path = stateFile(dir);
  const data = readJsonFile(path);
  if (data === undefined) return { alerts: [], log: [] };
  const o = data as { version?: unknown; alerts?: unknown; log?: unknown };
  if (o.version !== NOTIFY_STATE_FORMAT_VERSION) throw new Error(`${path}: unsupported version ${JSON.stringify(o.version)} (expected ${NOTIFY_STATE_FORMAT_VERSION})`);
  if (!Array.isArray(o.alerts) || !Array.isArray(o.log)) throw new Error(`${path}: expected "alerts" and "log" arrays`);
  const alerts = (o.alerts as unknown[]).map((a, i) => checkAlert(a, `${path}: alerts[${i}]`));
  const log = (o.log as unknown[]).map((e, i) => checkEntry(e, `${path}: log[${i}]`));
  return { alerts, log };
}

function checkAlert(a: unknown, where: string): Alert {
  const o = a as Partial<Record<keyof Alert, unknown>> | null;
  if (!o || !isStringRecord(o.labels) || !isStringRecord(o.annotations) || typeof o.startsAtMs !== 'number' || typeof o.generatorUrl !== 'string') {
    throw new Error(`${where}: expected {labels, annotations, startsAtMs, endsAtMs?, generatorUrl}`);
  }
  return { labels: o.labels, annotations: o.annotations, startsAtMs: o.startsAtMs, generatorUrl: o.generatorUrl, ...(typeof o.endsAtMs === 'number' ? { endsAtMs: o.endsAtMs } : {}) };
}

function checkEntry(e: unknown, where: string): StoredLogEntry {
  const o = e as Partial<Record<keyof StoredLogEntry, unknown>> | null;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!o || typeof o.channel !== 'string' || typeof o.groupKey !== 'string' || !strings(o.firing) || !strings(o.resolved) || typeof o.atMs !== 'number') {
    throw new Error(`${where}: expected {channel, groupKey, firing[], resolved[], atMs}`);
  }
  return { channel: o.channel, groupKey: o.groupKey, firing: o.firing, resolved: o.resolved, atMs: o.atMs };
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/**
 * The event model shared by the store, the HTTP API and the producers (Kubernetes events, alerts,
 * Fathom itself), and its validation. Wire format: docs/formats/events-v1.md.
 */
import { isValidLabelName } from '@fathom/model';
import type { Labels } from '@fathom/model';

export type EventType = 'Normal' | 'Warning';
export type EventSource = 'kubernetes' | 'alert' | 'fathom';

/** The object an event is about (for Kubernetes events: the involvedObject). */
export interface EventObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** One event. `labels` carry the object's context (cluster, namespace, workload, pod, node, …). */
export interface FathomEvent {
  /** When it happened (for a repeated Kubernetes event: its last occurrence), Unix ms. */
  readonly atMs: number;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly source: EventSource;
  /** How many times it occurred (Kubernetes' count / series.count); at least 1. */
  readonly count: number;
  readonly object?: EventObject;
  readonly labels: Labels;
}

export const EVENT_LIMITS = {
  reasonChars: 256,
  messageChars: 16 * 1024,
  nameChars: 512,
  labels: 64,
  labelValueChars: 1024,
} as const;

const TYPES: readonly string[] = ['Normal', 'Warning'];
const SOURCES: readonly string[] = ['kubernetes', 'alert', 'fathom'];

/** A validation failure; `field` is the path of the offending field, e.g. `events[2].labels.pod`. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** Validates one event read from JSON; returns the normalized event (count defaults to 1, labels to {}). */
export function parseEvent(raw: unknown, path = 'event'): FathomEvent {
  const o = record(raw, path);
  const atMs = o['atMs'];
  if (typeof atMs !== 'number' || !Number.isSafeInteger(atMs) || atMs < 0) throw new EventValidationError(`${path}.atMs`, 'must be a non-negative integer (Unix milliseconds)');
  const type = oneOf(o['type'], TYPES, `${path}.type`) as EventType;
  const source = oneOf(o['source'], SOURCES, `${path}.source`) as EventSource;
  const reason = text(o['reason'], `${path}.reason`, EVENT_LIMITS.reasonChars, false);
  const message = text(o['message'] ?? '', `${path}.message`, EVENT_LIMITS.messageChars, true);
  const count = o['count'] ?? 1;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) throw new EventValidationError(`${path}.count`, 'must be an integer ≥ 1');
  const labels = parseLabels(o['labels'] ?? {}, `${path}.labels`);
  const object = o['object'] === undefined ? undefined : parseObject(o['object'], `${path}.object`);
  const known = new Set(['atMs', 'type', 'reason', 'message', 'source', 'count', 'object', 'labels']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new EventValidationError(`${path}.${k}`, 'unknown field');
  return object === undefined ? { atMs, type, reason, message, source, count, labels } : { atMs, type, reason, message, source, count, object, labels };
}

/** Validates a POST body `{ "events": [...] }`; all or nothing. */
export function parseEventsBody(raw: unknown, maxEvents: number): FathomEvent[] {
  const o = record(raw, 'body');
  const list = o['events'];
  if (!Array.isArray(list)) throw new EventValidationError('events', 'must be an array');
  if (list.length > maxEvents) throw new EventValidationError('events', `has ${list.length} items, more than the limit of ${maxEvents}`);
  return list.map((e: unknown, i) => parseEvent(e, `events[${i}]`));
}

function parseObject(raw: unknown, path: string): EventObject {
  const o = record(raw, path);
  const kind = text(o['kind'], `${path}.kind`, EVENT_LIMITS.nameChars, false);
  const name = text(o['name'], `${path}.name`, EVENT_LIMITS.nameChars, false);
  if (o['namespace'] === undefined || o['namespace'] === '') return { kind, name };
  return { kind, name, namespace: text(o['namespace'], `${path}.namespace`, EVENT_LIMITS.nameChars, false) };
}

function parseLabels(raw: unknown, path: string): Labels {
  const o = record(raw, path);
  const keys = Object.keys(o);
  if (keys.length > EVENT_LIMITS.labels) throw new EventValidationError(path, `has ${keys.length} labels, more than ${EVENT_LIMITS.labels}`);
  const out: Record<string, string> = {};
  for (const k of keys.sort()) {
    if (!isValidLabelName(k)) throw new EventValidationError(`${path}.${k}`, 'is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)');
    const v = text(o[k], `${path}.${k}`, EVENT_LIMITS.labelValueChars, true);
    if (v !== '') out[k] = v;
  }
  return out;
}

function record(raw: unknown, path: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new EventValidationError(path, 'must be an object');
  return raw as Record<string, unknown>;
}

function oneOf(raw: unknown, allowed: readonly string[], path: string): string {
  if (typeof raw !== 'string' || !allowed.includes(raw)) throw new EventValidationError(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  return raw;
}

function text(raw: unknown, path: string, maxChars: number, emptyOk: boolean): string {
  if (typeof raw !== 'string') throw new EventValidationError(path, 'must be a string');
  if (!emptyOk && raw === '') throw new EventValidationError(path, 'must not be empty');
  if (raw.length > maxChars) throw new EventValidationError(path, `is ${raw.length} characters, more than ${maxChars}`);
  return raw;
}

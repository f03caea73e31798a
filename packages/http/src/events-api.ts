/**
 * The events API (docs/api.md): `POST /api/v1/events` with `{ "events": [...] }` (validated, all or
 * nothing; 400 naming the offending field) and `GET /api/v1/events?start=&end=&match[]=&limit=`,
 * answered in the Prometheus envelope, newest first.
 */
import { Hono } from 'hono';
import { EventValidationError, parseEventsBody } from '@fathom/events';
import type { EventStore } from '@fathom/events';
import { ApiError, failure, success } from './envelope.js';
import { readJson } from './json-body.js';
import { matchParams, readParams, timeParam } from './params.js';

export interface EventsApiDeps {
  readonly events: EventStore;
  readonly nowMs?: () => number;
  /** Largest accepted POST body. */
  readonly maxBodyBytes: number;
}

export const EVENTS_DEFAULT_LIMIT = 1000;
export const EVENTS_MAX_LIMIT = 10_000;
export const EVENTS_MAX_PER_POST = 10_000;
const DEFAULT_RANGE_MS = 3_600_000;

export function eventsApi(deps: EventsApiDeps): Hono {
  const api = new Hono();
  const now = deps.nowMs ?? Date.now;
  api.post('/', async (c) => {
    try {
      const events = parseEventsBody(await readJson(c, deps.maxBodyBytes), EVENTS_MAX_PER_POST);
      await deps.events.append(events);
      return success(c, { accepted: events.length });
    } catch (err) {
      return failure(c, toApiError(err));
    }
  });
  api.get('/', async (c) => {
    try {
      const p = await readParams(c);
      const endMs = timeParam(p, 'end', now());
      const startMs = timeParam(p, 'start', endMs - DEFAULT_RANGE_MS);
      if (startMs > endMs) throw new ApiError('bad_data', 'invalid parameter "end": end timestamp must not be before start time');
      const events = await deps.events.query({ startMs, endMs, matchers: matchParams(p), limit: limitParam(p) });
      return success(c, events);
    } catch (err) {
      return failure(c, toApiError(err));
    }
  });
  return api;
}

function limitParam(p: URLSearchParams): number {
  const raw = p.get('limit');
  if (raw === null || raw === '') return EVENTS_DEFAULT_LIMIT;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > EVENTS_MAX_LIMIT) throw new ApiError('bad_data', `invalid parameter "limit": must be an integer from 1 to ${EVENTS_MAX_LIMIT}, got ${JSON.stringify(raw)}`);
  return n;
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof EventValidationError) return new ApiError('bad_data', `invalid event: ${err.message}`);
  return new ApiError('internal', (err as Error).message);
}

/**
 * Silences (packages/notify/README.md, docs/formats/notify-state-v1.md):
 * `GET /api/fathom/silences[?state=active|pending|expired]` (newest change first),
 * `GET /api/fathom/silences/:id`, `POST /api/fathom/silences` (create, or update when the body has
 * an `id`; 400 naming the field), `DELETE /api/fathom/silences/:id` (expires it now; it stays
 * listed as `expired`). Envelopes are Prometheus-style `{status, data}`.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { SilenceValidationError, parseSilenceInput } from '@fathom/notify';
import type { SilenceStore } from '@fathom/notify';
import { ApiError, failure, success } from './envelope.js';
import { readJson } from './json-body.js';

export interface SilencesApiDeps {
  readonly silences: SilenceStore;
  readonly maxBodyBytes: number;
}

const MAX_SILENCE_BYTES = 64 * 1024;
const STATES = new Set(['active', 'pending', 'expired']);

export function silencesApi(deps: SilencesApiDeps): Hono {
  const api = new Hono();
  const guard = async (c: Context, fn: () => Promise<Response> | Response): Promise<Response> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SilenceValidationError) return failure(c, new ApiError('bad_data', `invalid silence: ${err.message}`));
      return failure(c, err instanceof ApiError ? err : new ApiError('internal', (err as Error).message));
    }
  };
  api.get('/', (c) => guard(c, () => {
    const state = c.req.query('state');
    if (state !== undefined && !STATES.has(state)) throw new ApiError('bad_data', `state must be active, pending or expired, got "${state}"`);
    const all = deps.silences.list();
    return success(c, state === undefined ? all : all.filter((s) => s.state === state));
  }));
  api.get('/:id', (c) => guard(c, () => {
    const s = deps.silences.get(c.req.param('id'));
    if (!s) throw new ApiError('not_found', `no silence "${c.req.param('id')}"`);
    return success(c, s);
  }));
  api.post('/', (c) => guard(c, async () => {
    const raw = await readJson(c, Math.min(deps.maxBodyBytes, MAX_SILENCE_BYTES));
    return success(c, deps.silences.upsert(parseSilenceInput(raw)));
  }));
  api.delete('/:id', (c) => guard(c, () => {
    const s = deps.silences.expire(c.req.param('id'));
    if (!s) throw new ApiError('not_found', `no silence "${c.req.param('id')}"`);
    return success(c, s);
  }));
  return api;
}

/**
 * User dashboards (docs/formats/dashboard.md): `GET /api/fathom/dashboards` (summaries),
 * `GET|PUT|DELETE /api/fathom/dashboards/:id`. A PUT is validated whole (400 naming the field)
 * and stored atomically; the id in the body must match the path.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { parseDashboard } from '@fathom/dashboards';
import type { DashboardStore } from '@fathom/dashboards';
import { ApiError, failure, success } from './envelope.js';
import { readJson } from './json-body.js';

export interface DashboardsApiDeps {
  readonly dashboards: DashboardStore;
  readonly maxBodyBytes: number;
}

const MAX_DASHBOARD_BYTES = 1024 * 1024;

export function dashboardsApi(deps: DashboardsApiDeps): Hono {
  const api = new Hono();
  const guard = async (c: Context, fn: () => Promise<Response>): Promise<Response> => {
    try {
      return await fn();
    } catch (err) {
      return failure(c, err instanceof ApiError ? err : new ApiError('internal', (err as Error).message));
    }
  };
  api.get('/', (c) => guard(c, async () => success(c, await deps.dashboards.list())));
  api.get('/:id', (c) => guard(c, async () => {
    const d = await deps.dashboards.get(c.req.param('id'));
    if (!d) throw new ApiError('not_found', `no dashboard "${c.req.param('id')}"`);
    return success(c, d);
  }));
  api.put('/:id', (c) => guard(c, async () => {
    const raw = await readJson(c, Math.min(deps.maxBodyBytes, MAX_DASHBOARD_BYTES));
    let d;
    try {
      d = parseDashboard(raw);
    } catch (err) {
      throw new ApiError('bad_data', `invalid dashboard: ${(err as Error).message}`);
    }
    if (d.id !== c.req.param('id')) throw new ApiError('bad_data', `invalid dashboard: id: "${d.id}" does not match the path's "${c.req.param('id')}"`);
    await deps.dashboards.put(d);
    return success(c, d);
  }));
  api.delete('/:id', (c) => guard(c, async () => {
    if (!(await deps.dashboards.delete(c.req.param('id')))) throw new ApiError('not_found', `no dashboard "${c.req.param('id')}"`);
    return success(c, { deleted: c.req.param('id') });
  }));
  return api;
}


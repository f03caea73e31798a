/** /api/fathom/dashboards: save, read, list, delete; bad documents are refused naming the field, nothing stored. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryDashboardStore } from '@fathom/dashboards';
import { dashboardsApi } from '../src/index.js';

const D = { version: 1, id: 'ops', title: 'Ops', variables: [], panels: [{ title: 'Up', type: 'stat', unit: 'count', queries: [{ expr: 'count(up)' }] }] };

function setup() {
  const store = new MemoryDashboardStore();
  const app = dashboardsApi({ dashboards: store, maxBodyBytes: 64 * 1024 });
  const call = async (method: string, path: string, body?: string) => {
    const r = await app.request(path, { method, ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}) });
    return { status: r.status, body: (await r.json()) as { status: string; data?: unknown; error?: string } };
  };
  return { store, call };
}

test('PUT then GET and list; DELETE removes it', async () => {
  const { call } = setup();
  assert.equal((await call('PUT', '/ops', JSON.stringify(D))).status, 200);
  assert.deepEqual((await call('GET', '/ops')).body.data, D);
  assert.deepEqual((await call('GET', '/')).body.data, [{ id: 'ops', title: 'Ops', panels: 1 }]);
  assert.equal((await call('DELETE', '/ops')).status, 200);
  const gone = await call('GET', '/ops');
  assert.equal(gone.status, 404);
  assert.match(gone.body.error!, /no dashboard "ops"/);
  assert.equal((await call('DELETE', '/ops')).status, 404);
});

test('bad documents: 400 naming the field, and nothing is stored', async () => {
  const { call, store } = setup();
  const cases: [string, string, RegExp][] = [
    ['/ops', '{not json', /body: not valid JSON/],
    ['/ops', JSON.stringify({ ...D, panels: [{ ...D.panels[0], type: 'pie' }] }), /invalid dashboard: panels\[0\]\.type: expected one of/],
    ['/other', JSON.stringify(D), /id: "ops" does not match the path's "other"/],
  ];
  for (const [path, body, message] of cases) {
    const r = await call('PUT', path, body);
    assert.equal(r.status, 400, body);
    assert.equal(r.body.status, 'error');
    assert.match(r.body.error!, message);
  }
  assert.deepEqual(await store.list(), []);
  const big = await call('PUT', '/ops', JSON.stringify({ ...D, title: 'x'.repeat(70_000) }));
  assert.equal(big.status, 413);
});

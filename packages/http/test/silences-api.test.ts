/** /api/fathom/silences: create, list, update, expire; persisted across a reopen; bad input is a 400 naming the field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SilenceStore } from '@fathom/notify';
import type { SilenceView } from '@fathom/notify';
import { tempDir } from '@fathom/testkit';
import { silencesApi } from '../src/index.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

async function setup() {
  const dir = (await tempDir('fathom-silences-')).path;
  const open = () => silencesApi({ silences: new SilenceStore({ dir, fsync: false, nowMs: () => NOW }), maxBodyBytes: 64 * 1024 });
  let app = open();
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await app.request(path, { method, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    return { status: r.status, body: (await r.json()) as { status: string; data: SilenceView & SilenceView[]; error?: string; errorType?: string } };
  };
  return { call, reopen: () => (app = open()) };
}

const SILENCE = { matchers: [{ name: 'namespace', type: '=', value: 'prod' }, { name: 'alertname', type: '=~', value: 'Pod.*' }], startsAtMs: NOW - 1000, endsAtMs: NOW + 3_600_000, createdBy: 'alice', comment: 'rollout' };

test('POST creates, GET lists and reads, POST with id updates, DELETE expires; all survive a reopen', async () => {
  const { call, reopen } = await setup();
  const created = await call('POST', '/', SILENCE);
  assert.equal(created.status, 200);
  const id = created.body.data.id;
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(created.body.data.state, 'active');
  assert.deepEqual(created.body.data.matchers, SILENCE.matchers);
  const pending = await call('POST', '/', { ...SILENCE, startsAtMs: NOW + 60_000 });
  assert.equal(pending.body.data.state, 'pending');
  assert.deepEqual((await call('GET', '/?state=active')).body.data.map((s) => s.id), [id]);
  assert.equal((await call('GET', '/')).body.data.length, 2);
  const updated = await call('POST', '/', { ...SILENCE, id, comment: 'rollout, extended' });
  assert.equal(updated.body.data.id, id);
  reopen();
  assert.equal((await call('GET', `/${id}`)).body.data.comment, 'rollout, extended');
  const deleted = await call('DELETE', `/${id}`);
  assert.equal(deleted.status, 200);
  assert.equal(deleted.body.data.state, 'expired');
  reopen();
  assert.equal((await call('GET', `/${id}`)).body.data.state, 'expired');
  assert.equal((await call('GET', '/?state=expired')).body.data.length, 1);
});

test('Alertmanager-style bodies are accepted (isRegex/isEqual, RFC 3339 times)', async () => {
  const { call } = await setup();
  const r = await call('POST', '/', { matchers: [{ name: 'severity', value: 'critical', isRegex: false, isEqual: true }], startsAt: new Date(NOW).toISOString(), endsAt: new Date(NOW + 60_000).toISOString(), createdBy: 'bob', comment: 'x' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.data.matchers, [{ name: 'severity', type: '=', value: 'critical' }]);
});

test('bad input: 400 naming the field; unknown ids: 404; nothing stored', async () => {
  const { call } = await setup();
  const cases: [unknown, RegExp][] = [
    ['{nope', /body: not valid JSON/],
    [{ ...SILENCE, matchers: [] }, /invalid silence: matchers must be a non-empty array/],
    [{ ...SILENCE, matchers: [{ name: 'a', type: '=~', value: '(' }] }, /invalid silence: matchers\[0\]: invalid regular expression/],
    [{ ...SILENCE, endsAtMs: NOW - 1 }, /endsAtMs/],
    [{ ...SILENCE, createdBy: '' }, /createdBy must be a non-empty string/],
    [{ ...SILENCE, id: 'nope' }, /no silence with id "nope"/],
  ];
  for (const [body, re] of cases) {
    const r = await call('POST', '/', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.errorType, 'bad_data');
    assert.match(r.body.error!, re);
  }
  assert.deepEqual((await call('GET', '/')).body.data, []);
  assert.equal((await call('GET', '/nope')).status, 404);
  assert.equal((await call('DELETE', '/nope')).status, 404);
  assert.equal((await call('GET', '/?state=weird')).status, 400);
});

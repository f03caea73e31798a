import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileEventStore } from '@fathom/events';
import { tempDir } from '@fathom/testkit';
import { eventsApi } from '../src/index.js';

const T0 = 1_764_000_000_000;
const OOM = {
  atMs: T0 - 1000,
  type: 'Warning',
  reason: 'OOMKilled',
  message: 'container app was OOM killed',
  source: 'kubernetes',
  count: 1,
  object: { kind: 'Pod', name: 'api-7d9f-abcde', namespace: 'prod' },
  labels: { cluster: 'c1', namespace: 'prod', workload_kind: 'Deployment', workload: 'api', pod: 'api-7d9f-abcde', node: 'n1', container: 'app' },
};

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await tempDir();
  const { store } = FileEventStore.open({ dir: dir.path, retentionMs: 3_600_000, fsync: 'never', nowMs: () => T0 });
  t.after(async () => {
    await store.close();
    await dir.cleanup();
  });
  const app = eventsApi({ events: store, maxBodyBytes: 4096, nowMs: () => T0 });
  const post = async (body: string) => {
    const r = await app.request('/', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const get = async (qs: string) => {
    const r = await app.request(`/?${qs}`);
    return { status: r.status, body: (await r.json()) as { status: string; data?: Record<string, unknown>[]; error?: string } };
  };
  return { post, get };
}

test('POST then GET: the event comes back as sent; filters by match[], range and limit', async (t) => {
  const { post, get } = await setup(t);
  const dev = { ...OOM, atMs: T0 - 500, reason: 'BackOff', labels: { ...OOM.labels, namespace: 'dev' } };
  assert.deepEqual(await post(JSON.stringify({ events: [OOM, dev] })), { status: 200, body: { status: 'success', data: { accepted: 2 } } });
  const all = await get('');
  assert.deepEqual(all.body.data, [dev, OOM]);
  const prod = await get(`match[]=${encodeURIComponent('{namespace="prod"}')}`);
  assert.deepEqual(prod.body.data, [OOM]);
  const byReason = await get(`match[]=${encodeURIComponent('{reason=~"Back.*"}')}&match[]=${encodeURIComponent('{pod="none"}')}`);
  assert.deepEqual(byReason.body.data?.map((e) => e['reason']), ['BackOff']);
  assert.deepEqual((await get(`start=${(T0 - 2000) / 1000}&end=${(T0 - 800) / 1000}`)).body.data, [OOM]);
  assert.equal((await get('limit=1')).body.data?.length, 1);
});

const BAD_POSTS: [string, string, RegExp, number][] = [
  ['not JSON', '{"events": [', /body: not valid JSON/, 400],
  ['no events array', '{"event": []}', /events: must be an array/, 400],
  ['bad field', JSON.stringify({ events: [OOM, { ...OOM, labels: { pod: 7 } }] }), /events\[1\]\.labels\.pod: must be a string/, 400],
  ['bad type', JSON.stringify({ events: [{ ...OOM, type: 'Fatal' }] }), /events\[0\]\.type: must be one of/, 400],
  ['too large', JSON.stringify({ events: [{ ...OOM, message: 'x'.repeat(5000) }] }), /more than the limit of 4096/, 413],
];
for (const [name, body, error, status] of BAD_POSTS) {
  test(`POST ${name} → ${status} naming the problem, nothing stored`, async (t) => {
    const { post, get } = await setup(t);
    const r = await post(body);
    assert.equal(r.status, status);
    assert.equal(r.body['status'], 'error');
    assert.match(String(r.body['error']), error);
    assert.deepEqual((await get('')).body.data, []);
  });
}

const BAD_GETS: [string, RegExp][] = [
  ['limit=0', /invalid parameter "limit"/],
  ['limit=abc', /invalid parameter "limit"/],
  ['start=yesterday', /invalid parameter "start"/],
  [`match[]=${encodeURIComponent('{namespace=}')}`, /invalid parameter "match\[\]"/],
  ['start=100&end=50', /invalid parameter "end"/],
];
for (const [qs, error] of BAD_GETS) {
  test(`GET ?${qs} → 400 bad_data`, async (t) => {
    const { get } = await setup(t);
    const r = await get(qs);
    assert.equal(r.status, 400);
    assert.match(r.body.error ?? '', error);
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { encodeBatch } from '@fathom/protocol';
import type { Batch } from '@fathom/protocol';
import { formatValue } from '../src/index.js';
import { openTestApp } from './support.js';

const T0 = 1_700_000_000_000;

function batch(seq: number, series: Batch['series']): Batch {
  return { version: 1, agent: { id: 'a1', host: 'h1', version: '0.1.0' }, seq, metadata: {}, series };
}

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const { app, storage } = await openTestApp(t);
  const ingest = (body: Uint8Array | string, headers: Record<string, string> = { 'content-encoding': 'gzip' }): Promise<Response> =>
    Promise.resolve(app.request('/api/agent/v1/batches', { method: 'POST', body, headers }));
  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await app.request(path);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  return { app, storage, ingest, get };
}

const counter = (v: number[]): Batch['series'][number] => ({
  labels: { __name__: 'requests_total', host: 'h1', job: 'api' },
  samples: v.map((x, i) => [T0 + i * 10_000, x] as const),
});

test('ingest then query: instant, range, series, labels, label values', async (t) => {
  const { ingest, get } = await setup(t);
  const r = await ingest(encodeBatch(batch(1, [counter([0, 10, 20, 30, 40, 50, 60])])));
  assert.equal(r.status, 200);
  assert.deepEqual(((await r.json()) as { data: unknown }).data, { seq: 1, samples: 7, accepted: 7, rejected: 0, errors: [] });

  const at = (T0 + 60_000) / 1000;
  const q = await get(`/api/v1/query?query=${encodeURIComponent('rate(requests_total[1m])')}&time=${at}`);
  assert.equal(q.status, 200);
  assert.deepEqual(q.body, { status: 'success', data: { resultType: 'vector', result: [{ metric: { host: 'h1', job: 'api' }, value: [at, '1'] }] } });

  const rq = await get(`/api/v1/query_range?query=requests_total&start=${T0 / 1000}&end=${(T0 + 20_000) / 1000}&step=10s`);
  assert.deepEqual((rq.body['data'] as { result: { values: unknown[] }[] }).result[0]?.values, [[T0 / 1000, '0'], [(T0 + 10_000) / 1000, '10'], [(T0 + 20_000) / 1000, '20']]);

  const series = await get(`/api/v1/series?match[]=${encodeURIComponent('{job="api"}')}`);
  assert.deepEqual(series.body, { status: 'success', data: [{ __name__: 'requests_total', host: 'h1', job: 'api' }] });
  assert.deepEqual((await get('/api/v1/labels')).body['data'], ['__name__', 'host', 'job']);
  assert.deepEqual((await get('/api/v1/label/job/values')).body['data'], ['api']);
  assert.deepEqual((await get(`/api/v1/label/job/values?match[]=${encodeURIComponent('nothing')}`)).body['data'], []);
});

test('POST form-encoded query works like GET', async (t) => {
  const { app, ingest } = await setup(t);
  await ingest(encodeBatch(batch(1, [counter([5])])));
  const r = await app.request('/api/v1/query', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `query=requests_total&time=${T0 / 1000}`,
  });
  const body = (await r.json()) as { data: { result: { value: unknown[] }[] } };
  assert.deepEqual(body.data.result[0]?.value, [T0 / 1000, '5']);
});

test('malformed and oversized batches get a clear 400/413 and store nothing; the next good batch is unaffected', async (t) => {
  const { app, ingest, get } = await setup(t);
  const bad: [string, Uint8Array | string, Record<string, string>, number, RegExp][] = [
    ['not gzip', 'hello', { 'content-encoding': 'gzip' }, 400, /not valid gzip/],
    ['not json', 'hello', {}, 400, /not valid JSON/],
    ['empty', '', {}, 400, /empty request body/],
    ['wrong version', gzipSync(JSON.stringify({ version: 9 })), { 'content-encoding': 'gzip' }, 400, /unsupported protocol version 9/],
    ['bad label', encodeBatch(batch(2, [{ labels: { __name__: 'x', 'bad-name': 'v' }, samples: [[T0, 1]] }])), { 'content-encoding': 'gzip' }, 400, /series.0.labels: invalid label name "bad-name"/],
    ['body too large', randomBytes(200 * 1024), { 'content-encoding': 'gzip' }, 413, /exceeds the limit of 65536 bytes/],
    ['gzip bomb', gzipSync(Buffer.alloc(1024 * 1024, ' ')), { 'content-encoding': 'gzip' }, 413, /decompresses to more than the limit/],
  ];
  for (const [name, body, headers, status, message] of bad) {
    const r = await ingest(body, headers);
    assert.equal(r.status, status, name);
    const json = (await r.json()) as { status: string; errorType: string; error: string };
    assert.equal(json.status, 'error', name);
    assert.equal(json.errorType, 'bad_data', name);
    assert.match(json.error, message, name);
  }
  assert.deepEqual((await get('/api/v1/labels')).body['data'], [], 'nothing was stored');
  assert.equal((await ingest(encodeBatch(batch(3, [counter([1])])))).status, 200);
  assert.deepEqual((await get('/api/v1/label/__name__/values')).body['data'], ['requests_total']);
  const metrics = await (await app.request('/metrics')).text();
  assert.match(metrics, new RegExp(`fathom_server_ingest_bad_requests_total ${bad.length}\n`));
  assert.match(metrics, /fathom_server_ingest_batches_total 1\n/);
});

test('query API errors use Prometheus error types', async (t) => {
  const { get } = await setup(t);
  const cases: [string, number, string, RegExp][] = [
    ['/api/v1/query', 400, 'bad_data', /invalid parameter "query": parameter is required/],
    ['/api/v1/query?query=sum(', 400, 'bad_data', /parse error/],
    ['/api/v1/query?query=up&time=yesterday', 400, 'bad_data', /invalid parameter "time": cannot parse "yesterday"/],
    // an infinite time or step (a number past ~1e305) is refused, not evaluated (start = end = Infinity stepped forever)
    [`/api/v1/query?query=1&time=${'9'.repeat(310)}`, 400, 'bad_data', /invalid parameter "time": cannot parse/],
    [`/api/v1/query_range?query=up&start=${'9'.repeat(310)}&end=${'9'.repeat(310)}&step=1`, 400, 'bad_data', /invalid parameter "start": cannot parse/],
    [`/api/v1/query_range?query=up&start=0&end=1&step=${'9'.repeat(310)}`, 400, 'bad_data', /invalid parameter "step": cannot parse/],
    ['/api/v1/query_range?query=up&start=1&end=2', 400, 'bad_data', /invalid parameter "step"/],
    ['/api/v1/query_range?query=up&start=10&end=1&step=1', 400, 'bad_data', /end timestamp must not be before start time/],
    ['/api/v1/query_range?query=up&start=0&end=100000&step=1', 400, 'bad_data', /exceeded maximum resolution/],
    ['/api/v1/series', 400, 'bad_data', /no match\[\] parameter provided/],
    ['/api/v1/series?match[]=rate(x[1m])', 400, 'bad_data', /is not a series selector/],
    ['/api/v1/label/bad-name/values', 400, 'bad_data', /invalid label name/],
    ['/api/v1/nope', 404, 'not_found', /no API endpoint GET \/api\/v1\/nope/],
  ];
  for (const [path, status, type, message] of cases) {
    const r = await get(path);
    assert.equal(r.status, status, path);
    assert.equal(r.body['errorType'], type, path);
    assert.match(String(r.body['error']), message, path);
  }
});

test('values are formatted like Go strconv (no exponents) with Prometheus specials', () => {
  const cases: [number, string][] = [
    [1.5, '1.5'],
    [0, '0'],
    [-2, '-2'],
    [1e21, '1000000000000000000000'],
    [1.25e22, '12500000000000000000000'],
    [1e-7, '0.0000001'],
    [-1.5e-7, '-0.00000015'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [v, want] of cases) assert.equal(formatValue(v), want, String(v));
});

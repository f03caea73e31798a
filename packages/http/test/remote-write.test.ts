import { test } from 'node:test';
import assert from 'node:assert/strict';
import snappy from 'snappy';
import protobuf from 'protobufjs/minimal.js';
import { decodeWriteRequest, encodeWriteRequest } from '../src/index.js';
import { labelsOf } from '@fathom/model';
import { LabelsCache } from '../src/labels-cache.js';
import { openTestApp } from './support.js';
import type { PbLabel } from '../src/index.js';

const T0 = 1_700_000_000_000;
const HEADERS = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const { app } = await openTestApp(t, {
    remoteWriteLimits: { maxBodyBytes: 64 * 1024, maxDecodedBytes: 256 * 1024, maxSeries: 50, maxSamples: 500 },
  });
  const write = (body: Uint8Array, headers: Record<string, string> = HEADERS): Promise<Response> =>
    Promise.resolve(app.request('/api/v1/write', { method: 'POST', body, headers }));
  const get = async (path: string): Promise<Record<string, unknown>> => (await app.request(path)).json() as Promise<Record<string, unknown>>;
  return { write, get };
}

const labels = (o: Record<string, string>): PbLabel[] => Object.entries(o).map(([name, value]) => ({ name, value }));
const compressed = (b: Uint8Array): Uint8Array => snappy.compressSync(Buffer.from(b));
const series = (name: string, values: number[], extra: Record<string, string> = {}) => ({
  labels: labels({ __name__: name, job: 'node', ...extra }),
  samples: values.map((v, i) => [T0 + i * 15_000, v] as const),
});

test('a snappy protobuf WriteRequest is stored and queryable; 204 on success', async (t) => {
  const { write, get } = await setup(t);
  // Labels out of order and an empty-valued label, as senders may send them.
  const body = encodeWriteRequest({ timeseries: [series('up', [1, 1, 0], { instance: 'a:9100', empty: '' }), series('node_load1', [0.5, 0.25])] });
  const r = await write(compressed(body));
  assert.equal(r.status, 204);
  const q = await get(`/api/v1/query_range?query=up&start=${T0 / 1000}&end=${(T0 + 30_000) / 1000}&step=15`);
  assert.deepEqual((q['data'] as { result: unknown[] }).result, [
    { metric: { __name__: 'up', instance: 'a:9100', job: 'node' }, values: [[T0 / 1000, '1'], [(T0 + 15_000) / 1000, '1'], [(T0 + 30_000) / 1000, '0']] },
  ]);
});

test('metadata from remote write is served by /api/v1/metadata', async (t) => {
  const { write, get } = await setup(t);
  const w = protobuf.Writer.create();
  w.uint32((3 << 3) | 2).fork().uint32(1 << 3).int32(1).uint32((2 << 3) | 2).string('http_requests_total').uint32((4 << 3) | 2).string('Requests.').ldelim();
  assert.equal((await write(compressed(w.finish()))).status, 204);
  const m = await get('/api/v1/metadata');
  assert.deepEqual(m, { status: 'success', data: { http_requests_total: [{ type: 'counter', help: 'Requests.', unit: '' }] } });
});

const BAD: { name: string; body: () => Uint8Array; headers?: Record<string, string>; status: number; message: RegExp }[] = [
  { name: 'not snappy', body: () => new Uint8Array([5, 1, 2, 3, 4, 5, 6, 7]), status: 400, message: /snappy/ },
  { name: 'truncated protobuf', body: () => compressed(encodeWriteRequest({ timeseries: [series('up', [1])] }).slice(0, 9)), status: 400, message: /malformed protobuf/ },
  { name: 'invalid label name', body: () => compressed(encodeWriteRequest({ timeseries: [{ labels: labels({ __name__: 'up', 'bad-name': 'x' }), samples: [[T0, 1]] }] })), status: 400, message: /invalid label name "bad-name"/ },
  { name: 'no metric name', body: () => compressed(encodeWriteRequest({ timeseries: [{ labels: labels({ job: 'x' }), samples: [[T0, 1]] }] })), status: 400, message: /valid metric name/ },
  { name: 'duplicate label', body: () => compressed(encodeWriteRequest({ timeseries: [{ labels: [...labels({ __name__: 'up' }), ...labels({ __name__: 'up' })], samples: [[T0, 1]] }] })), status: 400, message: /duplicate label name/ },
  { name: 'too many samples', body: () => compressed(encodeWriteRequest({ timeseries: [series('up', Array.from({ length: 501 }, () => 1))] })), status: 400, message: /more than 500 samples/ },
  { name: 'too many series', body: () => compressed(encodeWriteRequest({ timeseries: Array.from({ length: 51 }, (_, i) => series('up', [1], { i: String(i) })) })), status: 400, message: /more than 50 series/ },
  { name: 'decompresses too large', body: () => compressed(new Uint8Array(300 * 1024)), status: 413, message: /decompressed body/ },
  { name: 'body too large', body: () => new Uint8Array(65 * 1024), status: 413, message: /exceeds the limit/ },
  { name: 'gzip encoding', body: () => new Uint8Array([1]), headers: { ...HEADERS, 'content-encoding': 'gzip' }, status: 415, message: /Content-Encoding/ },
  { name: 'remote write 2.0 message', body: () => new Uint8Array([1]), headers: { ...HEADERS, 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request' }, status: 415, message: /v1/ },
];

for (const c of BAD) {
  test(`bad remote write: ${c.name} → ${c.status}, nothing stored`, async (t) => {
    const { write, get } = await setup(t);
    const r = await write(c.body(), c.headers);
    assert.equal(r.status, c.status);
    assert.match(await r.text(), c.message);
    const q = await get(`/api/v1/series?match[]=${encodeURIComponent('{__name__=~".+"}')}`);
    assert.deepEqual(q['data'], []);
  });
}

test('samples storage refuses are reported with 400; the others are stored', async (t) => {
  const { write, get } = await setup(t);
  assert.equal((await write(compressed(encodeWriteRequest({ timeseries: [series('up', [1])] })))).status, 204);
  // Same timestamp, other value: a conflicting duplicate; plus a new valid sample.
  const r = await write(compressed(encodeWriteRequest({ timeseries: [series('up', [2, 3])] })));
  assert.equal(r.status, 400);
  assert.match(await r.text(), /1 of 2 samples rejected/);
  const q = await get(`/api/v1/query?query=up&time=${(T0 + 15_000) / 1000}`);
  assert.equal(((q['data'] as { result: { value: unknown[] }[] }).result[0]?.value ?? [])[1], '3');
});

test('series repeated across requests (labels known by their wire bytes) are stored like new ones; a bad label set stays refused', async (t) => {
  const { write, get } = await setup(t);
  const at = (i: number) => ({ labels: labels({ __name__: 'rw_repeat', job: 'node', pod: 'p' }), samples: [[T0 + i * 15_000, i] as const] });
  for (let i = 0; i < 3; i++) assert.equal((await write(compressed(encodeWriteRequest({ timeseries: [at(i), series('other', [i], { i: String(i) })] })))).status, 204);
  const q = await get(`/api/v1/query_range?query=rw_repeat&start=${T0 / 1000}&end=${(T0 + 30_000) / 1000}&step=15`);
  assert.deepEqual((q['data'] as { result: unknown[] }).result, [{ metric: { __name__: 'rw_repeat', job: 'node', pod: 'p' }, values: [[T0 / 1000, '0'], [(T0 + 15_000) / 1000, '1'], [(T0 + 30_000) / 1000, '2']] }]);
  const bad = compressed(encodeWriteRequest({ timeseries: [{ labels: labels({ __name__: 'up', 'bad-name': 'x' }), samples: [[T0, 1]] }] }));
  for (let i = 0; i < 2; i++) assert.equal((await write(bad)).status, 400, 'refused every time, never cached');
});

test('decoded samples land in columns: times past 7 varint bytes and negative ones kept, more samples than the first column holds', () => {
  const times = [0, T0, -1, -T0, 2 ** 53 - 1, 2 ** 49, 2 ** 49 - 1];
  const many = Array.from({ length: 1500 }, (_, i) => [T0 + i * 1000, i / 3] as const);
  const req = decodeWriteRequest(
    encodeWriteRequest({ timeseries: [{ labels: labels({ __name__: 'a' }), samples: times.map((tMs, i) => [tMs, i] as const) }, { labels: labels({ __name__: 'b' }), samples: many }] }),
    { maxSeries: 10, maxSamples: 10_000 },
  );
  const [a, b] = req.timeseries;
  assert.deepEqual([a?.sampleStart, a?.sampleEnd, b?.sampleStart, b?.sampleEnd], [0, times.length, times.length, times.length + many.length]);
  assert.deepEqual([...req.times.subarray(0, times.length)], times);
  assert.deepEqual([...req.values.subarray(0, times.length)], times.map((_, i) => i));
  assert.deepEqual([...req.times.subarray(times.length)], many.map(([tMs]) => tMs));
  assert.deepEqual([...req.values.subarray(times.length)], many.map(([, v]) => v));
});

const metric = async (app: { request: (p: string) => Response | Promise<Response> }, line: string): Promise<number> => {
  const text = await (await app.request('/metrics')).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return Number(found?.split(' ')[1] ?? NaN);
};

/** [pod, raw values] of every series of `name` in [T0, T0 + spanMs], sorted by pod. */
async function podValues(app: { request: (p: string) => Response | Promise<Response> }, name: string, spanMs: number): Promise<[string, string[]][]> {
  const r = await app.request(`/api/v1/query?query=${name}[${spanMs / 1000 + 1}s]&time=${(T0 + spanMs) / 1000}`);
  const result = ((await r.json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } }).data.result;
  return result.map((s): [string, string[]] => [s.metric['pod'] ?? '', s.values.map(([, v]) => v)]).sort((a, b) => a[0].localeCompare(b[0]));
}

test('request buffers are reused: sequential requests allocate one set, the pool keeps it', async (t) => {
  const { app } = await openTestApp(t);
  for (let i = 0; i < 3; i++) {
    const r = await app.request('/api/v1/write', { method: 'POST', body: compressed(encodeWriteRequest({ timeseries: [series('up', [i], { i: String(i) })] })), headers: HEADERS });
    assert.equal(r.status, 204);
  }
  assert.equal(await metric(app, 'fathom_server_remote_write_buffer_leases_total{source="allocated"}'), 1);
  assert.equal(await metric(app, 'fathom_server_remote_write_buffer_leases_total{source="pool"}'), 2);
  assert.ok((await metric(app, 'fathom_server_remote_write_buffer_pooled_bytes')) > 0);
});

test('two requests in flight never share buffers; each stores its own series and samples', async (t) => {
  const { app } = await openTestApp(t);
  const body = (pod: string, v: number) => compressed(encodeWriteRequest({ timeseries: [series('rw_pair', [v, v + 1, v + 2], { pod })] }));
  const post = (b: Uint8Array) => Promise.resolve(app.request('/api/v1/write', { method: 'POST', body: b, headers: HEADERS }));
  const [a, b] = await Promise.all([post(body('a', 10)), post(body('b', 20))]);
  assert.deepEqual([a.status, b.status], [204, 204]);
  assert.equal(await metric(app, 'fathom_server_remote_write_buffer_leases_total{source="allocated"}'), 2, 'the second request did not take the first one\'s set');
  assert.deepEqual(await podValues(app, 'rw_pair', 30_000), [['a', ['10', '11', '12']], ['b', ['20', '21', '22']]]);
});

test('labels and the labels cache keep copies: a later request overwriting the reused buffer changes no stored series', async (t) => {
  const { app } = await openTestApp(t);
  const write = (b: Uint8Array) => Promise.resolve(app.request('/api/v1/write', { method: 'POST', body: b, headers: HEADERS }));
  // Same length wire bytes, so the second request's labels land where the first one's were.
  const at = (pod: string, i: number) => compressed(encodeWriteRequest({ timeseries: [{ labels: labels({ __name__: 'rw_copy', pod }), samples: [[T0 + i * 15_000, i]] }] }));
  for (const [pod, i] of [['x', 0], ['y', 1], ['y', 2], ['x', 3]] as const) assert.equal((await write(at(pod, i))).status, 204);
  // A view kept into the first buffer would read y's bytes as x's cached labels: y's samples would land in x.
  assert.deepEqual(await podValues(app, 'rw_copy', 45_000), [['x', ['0', '3']], ['y', ['1', '2']]]);
});

test('an oversized declared decompressed length is refused before a buffer is sized for it', async (t) => {
  const { app } = await openTestApp(t);
  // Varint header declaring 2^34 bytes, then one literal byte.
  const body = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x40, 0x00, 0x61]);
  const r = await app.request('/api/v1/write', { method: 'POST', body, headers: HEADERS });
  assert.equal(r.status, 413);
  assert.match(await r.text(), /decompressed body of 17179869184 bytes exceeds the limit/);
  assert.ok((await metric(app, 'fathom_server_remote_write_buffer_pooled_bytes')) < 1 << 20, 'no buffer grew for the declared size');
});

test('a body over the first buffer size and without Content-Length is read whole (buffers grow, bounded by the limit)', async (t) => {
  const { app } = await openTestApp(t, { remoteWriteLimits: { maxBodyBytes: 1 << 20, maxDecodedBytes: 4 << 20, maxSeries: 1000, maxSamples: 10_000 } });
  // Incompressible label values: the compressed body is > 64 KiB.
  let seed = 1;
  const rand = () => Buffer.from(Array.from({ length: 96 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) >>> 23)).toString('base64');
  const ts = Array.from({ length: 800 }, (_, i) => series('rw_big', [i], { i: String(i), r: rand() }));
  const body = compressed(encodeWriteRequest({ timeseries: ts }));
  assert.ok(body.length > 64 * 1024);
  assert.equal((await app.request('/api/v1/write', { method: 'POST', body, headers: HEADERS })).status, 204);
  const q = (await (await app.request(`/api/v1/query?query=count(rw_big)&time=${T0 / 1000}`)).json()) as { data: { result: { value: [number, string] }[] } };
  assert.equal(q.data.result[0]?.value[1], '800');
});

test('the labels cache keeps a copy of the wire bytes: the request buffer being overwritten does not lose or alias the entry', () => {
  const cache = new LabelsCache(10);
  const wire = Buffer.from('..label-bytes-of-x..');
  const x = labelsOf({ __name__: 'x' });
  cache.set(wire, 2, 18, x);
  const xBytes = Buffer.from(wire);
  wire.write('label-bytes-of-y', 2); // the next request, same buffer, same offsets
  assert.equal(cache.get(wire, 2, 18), undefined, 'y is not x');
  assert.equal(cache.get(xBytes, 2, 18), x);
});

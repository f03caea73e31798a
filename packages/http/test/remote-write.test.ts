import { test } from 'node:test';
import assert from 'node:assert/strict';
import snappy from 'snappy';
import protobuf from 'protobufjs/minimal.js';
import { decodeWriteRequest, encodeWriteRequest } from '../src/index.js';
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

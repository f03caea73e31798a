/**
 * The query API over any storage: SelectHints reach the store, the rollup tier shows up in `infos`,
 * limits and timeouts answer with Prometheus' error shape, and a client going away cancels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOOP_LOGGER } from '@fathom/kit';
import { labelsOf, matchesAll } from '@fathom/model';
import type { Matcher } from '@fathom/model';
import { QueryEngine } from '@fathom/query';
import type { EngineOptions } from '@fathom/query';
import { ColumnArena, columnsOf } from '@fathom/storage';
import type { Querier, Queryable, SelectHints, SeriesData, Storage } from '@fathom/storage';
import { createServerApp } from '../src/index.js';

/** A storage over fixed series that records the hints it was given; answers from a "1m tier". */
class FixedStorage implements Queryable {
  readonly hints: SelectHints[] = [];
  constructor(
    private readonly _series: SeriesData[],
    private readonly _selectDelayMs = 0,
  ) {}
  querier(): Promise<Querier> {
    return Promise.resolve({
      select: async (matchers: readonly Matcher[], hints?: SelectHints) => {
        if (hints) this.hints.push(hints);
        if (this._selectDelayMs) await new Promise((r) => setTimeout(r, this._selectDelayMs));
        return this._series.filter((s) => matchesAll(s.labels, matchers));
      },
      labelNames: () => Promise.resolve([]),
      labelValues: () => Promise.resolve([]),
    });
  }
}

const rollup: SeriesData = {
  labels: labelsOf({ __name__: 'cpu', pod: 'a' }),
  samples: columnsOf(Array.from({ length: 60 }, (_, i) => ({ tMs: i * 60_000, value: i }))),
  resolutionMs: 60_000,
};

function app(storage: Queryable, opts: Partial<EngineOptions> = {}) {
  return createServerApp({
    storage: storage as unknown as Storage,
    engine: new QueryEngine(storage, opts),
    logger: NOOP_LOGGER,
    limits: { maxBodyBytes: 1024, maxDecodedBytes: 1024, maxSeries: 10 },
  });
}

async function get(a: ReturnType<typeof app>, path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await a.request(path, init);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

test('SelectHints reach the store and the answering rollup tier is reported in infos', async () => {
  const storage = new FixedStorage([rollup]);
  const a = app(storage);
  const r = await get(a, `/api/v1/query_range?query=${encodeURIComponent('max_over_time(cpu[5m])')}&start=600&end=1200&step=60`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body['infos'], ['answered from the 1m rollup tier']);
  // One select, asking a rollup tier that answers for two buckets before the range too.
  const hints = { startMs: 600_000, endMs: 1_200_000, stepMs: 60_000, rangeMs: 300_000, func: 'max_over_time', tierPadBuckets: 2 };
  assert.equal(storage.hints.length, 1);
  // … and a column arena the API releases once the response is written (column-arena.ts)
  const { arena, ...rest } = storage.hints[0]!;
  assert.ok(arena instanceof ColumnArena);
  assert.deepEqual(rest, hints);
  const plain = await get(a, '/api/v1/query?query=1&time=10');
  assert.equal(plain.body['infos'], undefined);
  assert.deepEqual(plain.body['data'], { resultType: 'scalar', result: [10, '1'] });
});

test('string results and the static endpoints', async () => {
  const a = app(new FixedStorage([]));
  assert.deepEqual((await get(a, '/api/v1/query?query=%22hello%22&time=5')).body['data'], { resultType: 'string', result: [5, 'hello'] });
  assert.deepEqual((await get(a, '/api/v1/query_exemplars?query=up')).body, { status: 'success', data: [] });
  assert.equal(((await get(a, '/api/v1/status/buildinfo')).body['data'] as Record<string, string>)['version'], '0.1.0');
  assert.deepEqual((await get(a, '/api/v1/metadata')).body, { status: 'success', data: {} });
});

const LIMITS: [string, Partial<EngineOptions>, string, number, string, RegExp][] = [
  ['max samples', { maxSamples: 10 }, 'sum_over_time(cpu[1h])', 422, 'execution', /too many samples/],
  ['max series', { maxSeries: 0 }, 'cpu', 422, 'execution', /more than 0 series/],
  ['timeout', { timeoutMs: 0 }, 'cpu', 503, 'timeout', /query timed out/],
];
for (const [name, opts, q, status, type, message] of LIMITS) {
  test(`query limit: ${name} → ${status} ${type}`, async () => {
    const r = await get(app(new FixedStorage([rollup]), opts), `/api/v1/query?query=${encodeURIComponent(q)}&time=3600`);
    assert.equal(r.status, status);
    assert.equal(r.body['status'], 'error');
    assert.equal(r.body['errorType'], type);
    assert.match(String(r.body['error']), message);
  });
}

test('the timeout parameter bounds one query', async () => {
  const r = await get(app(new FixedStorage([rollup], 50)), '/api/v1/query?query=cpu&time=60&timeout=0.01');
  assert.equal(r.status, 503);
  assert.equal(r.body['errorType'], 'timeout');
});

test('an aborted request cancels its query', async () => {
  const ac = new AbortController();
  const pending = get(app(new FixedStorage([rollup], 50)), '/api/v1/query?query=cpu&time=60', { signal: ac.signal });
  ac.abort();
  const r = await pending;
  assert.equal(r.status, 499);
  assert.equal(r.body['errorType'], 'canceled');
});

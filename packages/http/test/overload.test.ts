import { test } from 'node:test';
import assert from 'node:assert/strict';
import snappy from 'snappy';
import { encodeBatch } from '@fathom/protocol';
import { encodeWriteRequest } from '../src/index.js';
import { StorageError } from '@fathom/storage';
import type { JournaledStorage, Storage } from '@fathom/storage';
import { openTestApp } from './support.js';

/** The test app's store, but every commit is refused as overloaded (nothing stored) and 7 such samples counted. */
function overloaded(storage: JournaledStorage): Storage {
  return {
    appender: () => {
      const inner = storage.appender();
      return {
        append: (labels, tMs, value) => inner.append(labels, tMs, value),
        rollback: () => inner.rollback(),
        commit: () => {
          inner.rollback();
          return Promise.reject(new StorageError('overloaded', 'storage overloaded: retry later'));
        },
      };
    },
    querier: (minMs, maxMs) => storage.querier(minMs, maxMs),
    stats: () => {
      const s = storage.stats();
      return { ...s, rejectedTotal: { ...s.rejectedTotal, overloaded: 7 } };
    },
    close: () => storage.close(),
  };
}

test('an agent batch the storage refuses as overloaded gets 503 + Retry-After (the agent resends it), and /metrics counts the refused samples', async (t) => {
  const { storage } = await openTestApp(t);
  const { app } = await openTestApp(t, { storage: overloaded(storage) });
  const body = encodeBatch({ version: 1, agent: { id: 'a1', host: 'h1', version: '0.1.0' }, seq: 1, metadata: {}, series: [{ labels: { __name__: 'up' }, samples: [[1_700_000_000_000, 1]] }] });
  const r = await app.request('/api/agent/v1/batches', { method: 'POST', body, headers: { 'content-encoding': 'gzip' } });
  assert.equal(r.status, 503);
  assert.equal(r.headers.get('retry-after'), '1');
  assert.deepEqual(await r.json(), { status: 'error', errorType: 'unavailable', error: 'storage overloaded: retry later' });
  const metrics = await (await app.request('/metrics')).text();
  assert.match(metrics, /fathom_server_storage_rejected_samples_total\{reason="overloaded"\} 7\n/);
});

test('a remote write the storage refuses as overloaded gets 503 + Retry-After (Prometheus\' sender retries it; a 4xx would drop it)', async (t) => {
  const { storage } = await openTestApp(t);
  const { app } = await openTestApp(t, { storage: overloaded(storage) });
  const body = snappy.compressSync(Buffer.from(encodeWriteRequest({ timeseries: [{ labels: [{ name: '__name__', value: 'up' }], samples: [[1_700_000_000_000, 1]] }] })));
  const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };
  const r = await app.request('/api/v1/write', { method: 'POST', body, headers });
  assert.equal(r.status, 503);
  assert.equal(r.headers.get('retry-after'), '1');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { ProtocolError, decodeBatch, encodeBatch } from '../src/index.js';
import type { Batch } from '../src/index.js';

const good: Batch = {
  version: 1,
  agent: { id: 'agent-1', host: 'node-a', version: '0.1.0' },
  seq: 7,
  metadata: { up: { type: 'gauge', help: 'Up.' } },
  series: [
    { labels: { __name__: 'up', host: 'node-a' }, samples: [[1000, 1], [2000, NaN], [3000, Infinity], [4000, -Infinity]] },
  ],
};

test('encode → decode round-trips, including NaN and infinities', () => {
  const back = decodeBatch(encodeBatch(good), true);
  assert.equal(back.seq, 7);
  const samples = back.series[0]?.samples ?? [];
  assert.equal(samples[0]?.[1], 1);
  assert.ok(Number.isNaN(samples[1]?.[1]));
  assert.equal(samples[2]?.[1], Infinity);
  assert.equal(samples[3]?.[1], -Infinity);
});

interface BadCase { name: string; body: unknown; code: string; message: string }
const badCases = JSON.parse(readFileSync(new URL('../../testdata/bad-batches.json', import.meta.url), 'utf8')) as BadCase[];

for (const c of badCases) {
  test(`bad batch: ${c.name}`, () => {
    const body = gzipSync(JSON.stringify(c.body));
    assert.throws(
      () => decodeBatch(body, true),
      (err: unknown) => err instanceof ProtocolError && err.code === c.code && err.message.includes(c.message),
    );
  });
}

test('bad encodings say what is wrong', () => {
  const cases: [string, Uint8Array, boolean, string][] = [
    ['not gzip', Buffer.from('hello'), true, 'bad_encoding'],
    ['truncated gzip', encodeBatch(good).subarray(0, 20), true, 'bad_encoding'],
    ['not json', Buffer.from('{"version":'), false, 'bad_json'],
  ];
  for (const [name, body, gz, code] of cases) {
    assert.throws(() => decodeBatch(body, gz), (e: unknown) => e instanceof ProtocolError && e.code === code, name);
  }
});

test('a gzip bomb is refused as too large', () => {
  const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20));
  assert.throws(
    () => decodeBatch(bomb, true, { maxDecodedBytes: 1024 * 1024, maxSeries: 10 }),
    (e: unknown) => e instanceof ProtocolError && e.code === 'too_large',
  );
});

test('too many series is refused as too large', () => {
  const many: Batch = { ...good, series: [good.series[0]!, good.series[0]!] };
  assert.throws(
    () => decodeBatch(encodeBatch(many), true, { maxDecodedBytes: 1 << 20, maxSeries: 1 }),
    (e: unknown) => e instanceof ProtocolError && e.code === 'too_large',
  );
});

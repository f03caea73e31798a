import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequestBufferPool, atLeast } from '../src/request-buffers.js';

test('the pool hands a set to one request at a time, keeps at most maxFree, drops oversized and idle sets (counted)', async () => {
  const pool = new RequestBufferPool(2, 4 << 20, 50);
  const [a, b, c] = [pool.acquire(), pool.acquire(), pool.acquire()];
  assert.ok(a !== b && b !== c && a !== c, 'sets in use are never shared');
  pool.release(a);
  pool.release(b);
  pool.release(c); // pool full
  assert.deepEqual({ ...pool.stats, pooledBytes: pool.stats.pooledBytes > 0 }, { leases: 3, reused: 0, dropped: 1, pooledBytes: true });
  const again = pool.acquire();
  assert.ok(again === a || again === b, 'a released set is reused');
  again.decoded = atLeast(again.decoded, 5 << 20);
  pool.release(again); // grown past the kept size
  assert.equal(pool.stats.dropped, 2);
  await sleep(120);
  assert.deepEqual({ dropped: pool.stats.dropped, pooledBytes: pool.stats.pooledBytes }, { dropped: 3, pooledBytes: 0 }, 'idle sets dropped');
  const fresh = pool.acquire();
  assert.ok(fresh !== a && fresh !== b);
});

test('buffers grow to a power of two up to 1 MiB, then whole MiB', () => {
  const small = Buffer.alloc(10);
  assert.equal(atLeast(small, 5), small);
  assert.equal(atLeast(small, 100_000).length, 128 * 1024);
  assert.equal(atLeast(small, 2_900_000).length, 3 << 20);
});

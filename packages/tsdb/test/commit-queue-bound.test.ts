import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageError } from '@fathom/storage';
import type { CommitResult } from '@fathom/storage';
import { tempDir } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import { l, opts, values } from './helpers.js';

/** Starts a commit of `n` samples of series m{k} (values 1..n) without waiting for it. */
function commit(s: TsdbStorage, k: string, n: number): Promise<CommitResult> {
  const app = s.appender();
  for (let i = 1; i <= n; i++) app.append(l('m', { k }), i * 1000, i);
  return app.commit();
}

test('commit queue bound: while commits wait on the chain (one in its fdatasync), a commit past maxQueuedSamples is refused at once as overloaded, counted, and stores nothing; the queued ones are all durable', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const o = opts(dir.path, { fsync: 'always', maxQueuedSamples: 10 });
  const s = TsdbStorage.open(o);
  const settled: string[] = [];
  const a = commit(s, 'a', 4).finally(() => settled.push('a')); // runs first: waits for its fdatasync
  const b = commit(s, 'b', 4).finally(() => settled.push('b')); // 8 samples queued
  const err = await commit(s, 'c', 4).then(
    () => assert.fail('a commit past the bound was accepted'),
    (e: unknown) => e,
  );
  settled.push('c');
  assert.deepEqual(settled, ['c'], 'refused at once, before the queued commits settle');
  assert.ok(err instanceof StorageError, String(err));
  assert.equal(err.code, 'overloaded');
  assert.match(err.message, /8 samples already wait.*bound 10.*batch of 4/);
  assert.equal(s.stats().rejectedTotal.overloaded, 4);
  assert.equal((await a).accepted, 4);
  assert.equal((await b).accepted, 4);
  // once the queue drains, commits are admitted again; one bigger than the bound goes through alone
  assert.equal((await commit(s, 'd', 12)).accepted, 12);
  const v = await values(s, 'm');
  assert.deepEqual([...v.keys()].sort(), ['a', 'b', 'd']);
  assert.deepEqual(v.get('a'), [1, 2, 3, 4]);
  await s.close();
  // the refused commit never reached the WAL; the acknowledged ones did
  const again = TsdbStorage.open(o);
  const w = await values(again, 'm');
  assert.deepEqual([...w.keys()].sort(), ['a', 'b', 'd']);
  assert.deepEqual(w.get('b'), [1, 2, 3, 4]);
  assert.equal(w.get('d')?.length, 12);
  await again.close();
});

test('commit queue bound: the default admits a hundred concurrent 1000-sample commits', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s = TsdbStorage.open(opts(dir.path, { fsync: 'never' }));
  const all = await Promise.all(Array.from({ length: 100 }, (_, i) => commit(s, String(i), 1000)));
  assert.equal(all.reduce((n, r) => n + r.accepted, 0), 100_000);
  assert.equal(s.stats().rejectedTotal.overloaded, 0);
  await s.close();
});

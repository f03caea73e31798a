import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import { l, opts, values } from './helpers.js';

/** Lets every queued microtask run (but no event-loop phase: no I/O callback, no timer). */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 100; i++) await Promise.resolve();
}

test('fsync always: a commit waits for its fdatasync off the event loop (it does not settle within the turn that wrote it), then is durable and served', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s = TsdbStorage.open(opts(dir.path, { fsync: 'always' }));
  const app = s.appender();
  app.append(l('m', { k: '1' }), 10_000, 1);
  let settled = false;
  const commit = app.commit().then((r) => {
    settled = true;
    return r;
  });
  await drainMicrotasks();
  assert.equal(settled, false, 'fdatasyncSync would have settled it within the same turn');
  assert.equal((await commit).accepted, 1);
  assert.deepEqual((await values(s, 'm')).get('1'), [1]);
  await s.close();
});

test('fsync never: a commit settles without waiting for the disk', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s = TsdbStorage.open(opts(dir.path, { fsync: 'never' }));
  const app = s.appender();
  app.append(l('m', { k: '1' }), 10_000, 1);
  let settled = false;
  void app.commit().then(() => (settled = true));
  await drainMicrotasks();
  assert.equal(settled, true);
  await s.close();
});

test('applyRetention while a commit waits for its fdatasync runs after it: the commit\'s new series is not collected empty, nothing is lost across a restart', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const nowMs = 1_000_000_000;
  const o = opts(dir.path, { fsync: 'always', retentionMs: 3_600_000, nowMs: () => nowMs });
  const s = TsdbStorage.open(o);
  const app = s.appender();
  app.append(l('m', { k: 'new' }), nowMs - 1000, 7);
  const commit = app.commit();
  await drainMicrotasks();
  // the series exists in the head, still empty: series GC now would remove it
  assert.deepEqual(s.applyRetention(), { samplesDropped: 0, seriesRemoved: 0 });
  assert.equal((await commit).accepted, 1);
  assert.deepEqual((await values(s, 'm')).get('new'), [7]);
  await s.checkpoint();
  await s.close();
  const again = TsdbStorage.open(o);
  assert.deepEqual((await values(again, 'm')).get('new'), [7]);
  await again.close();
});

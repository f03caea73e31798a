import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serverConfigSchema } from '@fathom/config';
import { NOOP_LOGGER } from '@fathom/kit';
import { labelsOf, matcher } from '@fathom/model';
import { JournaledStorage } from '@fathom/storage';
import { tempDir } from '@fathom/testkit';
import { TsdbStorage } from '@fathom/tsdb';
import { openStorage } from '../src/storage.js';

test('the tsdb engine is the default and imports a journal left by the earlier engine, once', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const journal = JournaledStorage.open({ dataDir: dir.path, fsync: 'always', retentionMs: 1e15, maxSeries: 100, maxSeriesPerMetric: 100 });
  const app = journal.appender();
  for (let i = 1; i <= 30; i++) app.append(labelsOf({ __name__: 'old_metric', job: 'j' }), Date.now() - 60_000 + i * 1000, i);
  await app.commit();
  await journal.close();
  const cfg = serverConfigSchema.parse({ dataDir: dir.path });
  assert.equal(cfg.storage.engine, 'tsdb');
  const opened = await openStorage(cfg, NOOP_LOGGER);
  assert.ok(opened.storage instanceof TsdbStorage);
  const [series] = await (await opened.storage.querier(0, Date.now() + 1)).select([matcher('__name__', '=', 'old_metric')]);
  assert.equal(series?.samples.tMs.length, 30);
  await opened.storage.close();
  assert.ok(!existsSync(join(dir.path, 'journal')) && existsSync(join(dir.path, 'journal.imported')));
  const again = await openStorage(cfg, NOOP_LOGGER);
  assert.equal(again.storage.stats().samples, 30, 'not imported twice');
  await again.storage.close();
});

test('engine: journal keeps the earlier store available', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const opened = await openStorage(serverConfigSchema.parse({ dataDir: dir.path, storage: { engine: 'journal' } }), NOOP_LOGGER);
  assert.ok(opened.storage instanceof JournaledStorage);
  await opened.storage.close();
});

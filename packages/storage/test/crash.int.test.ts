import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { matcher } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { JournaledStorage } from '../src/index.js';
import { samplesOf } from '../src/index.js';

test('kill -9 during heavy ingest: every acknowledged sample is there after restart', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const child = spawn(process.execPath, [fileURLToPath(new URL('./crash-writer.js', import.meta.url)), dir.path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await delay(1500);
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const acked = Math.max(0, ...out.split('\n').filter(Boolean).map(Number));
  assert.ok(acked > 10, `the writer acknowledged only ${acked} batches`);
  const s = JournaledStorage.open({ dataDir: dir.path, fsync: 'always', retentionMs: 1e15, maxSeries: 1e6, maxSeriesPerMetric: 1e6 });
  const series = await (await s.querier(0, 1e9)).select([matcher('__name__', '=', 'crash_test')]);
  assert.equal(series.length, 50);
  for (const x of series) {
    const times = new Set(samplesOf(x.samples).map((p) => p.tMs));
    for (let b = 1; b <= acked; b++) assert.ok(times.has(b), `batch ${b} of ${acked} acknowledged batches is missing in ${x.labels['series']}`);
  }
  await s.close();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { matcher } from '@fathom/model';
import { tempDir, waitFor } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import { opts } from './helpers.js';
import { samplesOf } from '@fathom/storage';

async function killDuringIngest(dir: string, minBatches: number, blockRangeMs = 0): Promise<number> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./crash-writer.js', import.meta.url)), dir, String(blockRangeMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const acked = (): number => Math.max(0, ...out.split('\n').filter(Boolean).map(Number));
  await waitFor(`${minBatches} acknowledged batches`, () => Promise.resolve(acked() >= minBatches ? true : undefined), 60_000, 20);
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  return acked();
}

test('kill -9 during heavy ingest (across segment rotations and checkpoints): every acknowledged sample is there', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  for (const round of [1, 2]) {
    const acked = await killDuringIngest(dir.path, 150 * round);
    const s = TsdbStorage.open(opts(dir.path));
    const series = await (await s.querier(0, 1e12)).select([matcher('__name__', '=', 'crash_test')]);
    assert.equal(series.length, 200);
    for (const x of series) {
      const times = new Set(samplesOf(x.samples).map((p) => p.tMs));
      for (let b = 1; b <= acked; b++) assert.ok(times.has(b * 10_000), `round ${round}: batch ${b} of ${acked} acknowledged is missing in ${x.labels['pod']}`);
    }
    assert.deepEqual(s.openReport.problems.filter((p) => !/torn/.test(p)), [], 'at most a torn tail, nothing else');
    await s.close();
  }
});

test('kill -9 while blocks are cut and compacted: restart is clean and every acknowledged sample is there', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  // 30 s blocks at 10 s a batch: a cut every 3 batches, compactions every 9 and 27
  for (const round of [1, 2, 3]) {
    const acked = await killDuringIngest(dir.path, 60 * round, 30_000);
    const s = TsdbStorage.open(opts(dir.path, { blockRangeMs: 30_000 }));
    assert.ok(s.blockStatus().blocks.length > 0, 'blocks were written');
    const series = await (await s.querier(0, 1e12)).select([matcher('__name__', '=', 'crash_test')]);
    assert.equal(series.length, 200);
    for (const x of series) {
      const times = samplesOf(x.samples).map((p) => p.tMs);
      assert.deepEqual(times, [...new Set(times)].sort((a, b) => a - b), 'no duplicates, in order');
      const have = new Set(times);
      for (let b = 1; b <= acked; b++) assert.ok(have.has(b * 10_000), `round ${round}: batch ${b} of ${acked} acknowledged is missing in ${x.labels['pod']}`);
    }
    assert.deepEqual(s.openReport.problems.filter((p) => !/torn/.test(p)), [], 'at most a torn tail, nothing else');
    assert.equal(s.blockStatus().damagedTotal, 0);
    await s.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { matcher } from '@fathom/model';
import { tempDir, waitFor } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import { opts } from './helpers.js';

async function killDuringIngest(dir: string, minBatches: number): Promise<number> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./crash-writer.js', import.meta.url)), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
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
      const times = new Set(x.samples.map((p) => p.tMs));
      for (let b = 1; b <= acked; b++) assert.ok(times.has(b * 10_000), `round ${round}: batch ${b} of ${acked} acknowledged is missing in ${x.labels['pod']}`);
    }
    assert.deepEqual(s.openReport.problems.filter((p) => !/torn/.test(p)), [], 'at most a torn tail, nothing else');
    await s.close();
  }
});

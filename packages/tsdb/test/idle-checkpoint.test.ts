import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import { grid, opts, values, write } from './helpers.js';

const walBytes = (dir: string): number => readdirSync(join(dir, 'wal')).filter((f) => f.endsWith('.wal')).reduce((n, f) => n + statSync(join(dir, 'wal', f)).size, 0);
const checkpoints = (dir: string): string[] => readdirSync(join(dir, 'wal')).filter((f) => f.startsWith('checkpoint.'));

async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), what);
}

test('idle checkpoint: once commits pause for idleCheckpointMs with >= 1 MiB of WAL, a checkpoint; a restart (no close, as after kill -9) then replays no WAL record', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = TsdbStorage.open(opts(dir.path, { idleCheckpointMs: 200, checkpointEveryBytes: 1e12 }));
  for (let from = 1; from <= 1000; from += 100) await write(s1, grid(200, 100, from)); // 200,000 samples: > 1 MiB of WAL
  assert.ok(walBytes(dir.path) > 1 << 20, `${walBytes(dir.path)} B of WAL`);
  assert.deepEqual(checkpoints(dir.path), [], 'none while ingesting (the size trigger is off)');
  await until(() => checkpoints(dir.path).length === 1, 'a checkpoint after the pause');
  await until(() => walBytes(dir.path) < 1024, 'the WAL it covers deleted');
  const s2 = TsdbStorage.open(opts(dir.path, { idleCheckpointMs: 0 }));
  assert.equal(s2.openReport.walRecords, 0);
  assert.equal(s2.openReport.checkpointSeries, 200);
  const v = await values(s2);
  assert.equal(v.size, 200);
  for (const [k, vals] of v) assert.deepEqual(vals, Array.from({ length: 1000 }, (_, i) => Number(k) * 1000 + i + 1));
  await s2.close();
  await s1.close();
});

test('idle checkpoint: less than 1 MiB of WAL, or idleCheckpointMs 0, writes none', async (t) => {
  for (const [samples, idleMs] of [[20, 50], [100, 0]] as const) {
    const dir = await tempDir();
    t.after(dir.cleanup);
    const s = TsdbStorage.open(opts(dir.path, { idleCheckpointMs: idleMs, checkpointEveryBytes: 1e12 }));
    for (let from = 1; from <= samples * 10; from += samples) await write(s, grid(200, samples, from));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(checkpoints(dir.path), [], `${samples * 2000} samples, idleCheckpointMs ${idleMs}`);
    await s.close();
  }
});

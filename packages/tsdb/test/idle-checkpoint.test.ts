import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import { grid, opts, values, write } from './helpers.js';

const MIB = 1 << 20;
/** An idle checkpoint needs a quarter of this since the last one; the size trigger stays out of the way. */
const EVERY = 8 * MIB;
/** No block cut (and its checkpoint) in the 5.5 h written. */
const DAY = 86_400_000;
const walBytes = (dir: string): number => readdirSync(join(dir, 'wal')).filter((f) => f.endsWith('.wal')).reduce((n, f) => n + statSync(join(dir, 'wal', f)).size, 0);
const checkpoints = (dir: string): string[] => readdirSync(join(dir, 'wal')).filter((f) => f.startsWith('checkpoint.'));

/** `rounds` commits of 200 series × 100 samples (~0.35 MB of WAL each, the first ~0.7 MB). */
async function ingest(s: TsdbStorage, rounds: number): Promise<void> {
  for (let r = 0; r < rounds; r++) await write(s, grid(200, 100, 1 + r * 100));
}

test('idle checkpoint: once commits pause for idleCheckpointMs with a quarter of checkpointEveryBytes of WAL, a checkpoint; a restart (no close, as after kill -9) then replays nothing', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s1 = TsdbStorage.open(opts(dir.path, { idleCheckpointMs: 1500, checkpointEveryBytes: EVERY, blockRangeMs: DAY }));
  await ingest(s1, 20);
  assert.ok(walBytes(dir.path) > EVERY / 4 && walBytes(dir.path) < EVERY, `${walBytes(dir.path)} B of WAL`);
  assert.deepEqual(checkpoints(dir.path), [], 'none while ingesting');
  await waitFor('a checkpoint after the pause, the WAL it covers deleted', () => Promise.resolve(checkpoints(dir.path).length === 1 && walBytes(dir.path) < 1024 ? true : undefined), 10_000, 20);
  const s2 = TsdbStorage.open(opts(dir.path, { idleCheckpointMs: 0 }));
  assert.equal(s2.openReport.walRecords, 0);
  assert.equal(s2.openReport.checkpointSeries, 200);
  const v = await values(s2);
  assert.equal(v.size, 200);
  for (const [k, vals] of v) assert.deepEqual(vals, Array.from({ length: 2000 }, (_, i) => Number(k) * 1000 + i + 1));
  await s2.close();
  await s1.close();
});

test('idle checkpoint: less WAL than a quarter of checkpointEveryBytes, or idleCheckpointMs 0, writes none', async (t) => {
  for (const [rounds, idleMs] of [[4, 50], [20, 0]] as const) {
    const dir = await tempDir();
    t.after(dir.cleanup);
    const s = TsdbStorage.open(opts(dir.path, { idleCheckpointMs: idleMs, checkpointEveryBytes: EVERY, blockRangeMs: DAY }));
    await ingest(s, rounds);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(checkpoints(dir.path), [], `${walBytes(dir.path)} B of WAL, idleCheckpointMs ${idleMs}`);
    await s.close();
  }
});

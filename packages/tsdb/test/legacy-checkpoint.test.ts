import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { matcher } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { CHECKPOINT_MAGIC_V1, TsdbStorage } from '../src/index.js';
import { pointsToChunks } from '../src/rollup/rollup-points.js';
import { ByteWriter } from '../src/wal/codec.js';
import { frameRecord, RecordType } from '../src/wal/records.js';
import { l, opts } from './helpers.js';
import { samplesOf } from '@fathom/storage';

const MIN = 60_000;

/** A checkpoint as written before blocks existed: one series whose head kept a 1m tier (4 sealed points + an open one). */
function legacyCheckpoint(dir: string): void {
  const points = [0, 1, 2, 3].map((i) => ({ tMs: (100 + i) * MIN, min: i, max: i + 10, sum: 6 * i, count: 6, last: i + 1, counter: 100 * i }));
  const snap = new ByteWriter().uvarint(1);
  const labels = l('legacy_total', { pod: 'p' });
  snap.uvarint(Object.keys(labels).length);
  for (const [n, v] of Object.entries(labels)) snap.string(n).string(v);
  snap.uvarint(0).int64(0).float64(0); // no last sample
  snap.uvarint(0).bytes(new Uint8Array(0)).uvarint(0); // no raw chunks, no open chunk, no out-of-order samples
  snap.uvarint(1).uvarint(MIN).float64(450).float64(5).uvarint(1); // one tier, counter state, an open bucket
  snap.int64(104 * MIN).float64(4).float64(14).float64(24).float64(6).float64(5).float64(450);
  const [chunk] = pointsToChunks(points);
  assert.ok(chunk);
  snap.uvarint(1).int64(chunk.minTMs).int64(chunk.maxTMs).uvarint(chunk.count).bytes(chunk.bytes);
  snap.bytes(new Uint8Array(0));
  const wal = join(dir, 'wal');
  mkdirSync(wal, { recursive: true });
  writeFileSync(
    join(wal, 'checkpoint.00000001'),
    Buffer.concat([CHECKPOINT_MAGIC_V1, frameRecord(RecordType.CheckpointMeta, new ByteWriter().int64(0).finish()), frameRecord(RecordType.SeriesSnapshot, snap.finish()), frameRecord(RecordType.CheckpointEnd, new ByteWriter().uvarint(1).finish())]),
  );
}

test('a checkpoint from before blocks: its rollup points move into a tier block and are served, also after a restart', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  legacyCheckpoint(dir.path);
  const o = opts(dir.path, { retentionMs: 10 * MIN, tiers: [{ resolutionMs: MIN, retentionMs: 1e12 }], nowMs: () => 200 * MIN });
  for (const round of [1, 2]) {
    const s = TsdbStorage.open(o);
    assert.deepEqual(s.openReport.problems, []);
    assert.equal(s.blockStatus().blocks.filter((b) => b.resolutionMs === MIN).length, 1, `round ${round}: one tier block`);
    const [x] = await (await s.querier(90 * MIN, 110 * MIN)).select([matcher('__name__', '=', 'legacy_total')], { startMs: 95 * MIN, endMs: 110 * MIN, stepMs: MIN, func: 'max_over_time' });
    assert.equal(x?.resolutionMs, MIN);
    assert.deepEqual(samplesOf(x.samples).map((p) => [p.tMs / MIN, p.value]), [[100, 10], [101, 11], [102, 12], [103, 13], [104, 14]]);
    await s.close();
  }
});

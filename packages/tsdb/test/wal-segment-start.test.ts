/**
 * A WAL segment whose header could not be written (no space at a segment rollover): the commits
 * acknowledged once space is back must survive a crash, so they must not land in a segment
 * without its header (replay drops such a segment whole).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tempDir } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import { WAL_MAGIC } from '../src/wal/wal.js';
import { l, opts, values } from './helpers.js';

/** Makes the next write of a segment header fail with ENOSPC, once. */
function failNextHeaderWrite(): () => void {
  const real = fs.writeSync;
  let armed = true;
  const patched = (fd: number, buf: NodeJS.ArrayBufferView, ...rest: unknown[]): number => {
    if (armed && Buffer.isBuffer(buf) && buf.equals(WAL_MAGIC)) {
      armed = false;
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    return (real as (...a: unknown[]) => number)(fd, buf, ...rest);
  };
  (fs as { writeSync: unknown }).writeSync = patched;
  syncBuiltinESMExports();
  return () => {
    (fs as { writeSync: unknown }).writeSync = real;
    syncBuiltinESMExports();
  };
}

test('WAL: a segment header that fails to write is written again before any record; commits acknowledged after it survive a crash', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  // tiny segments: every commit starts a new one; no checkpoint to cover the WAL
  const o = opts(dir.path, { fsync: 'always', walSegmentBytes: 200, checkpointEveryBytes: 1e12 });
  const s = TsdbStorage.open(o);
  let tMs = 10_000;
  const commit = async (): Promise<number> => {
    const app = s.appender();
    for (let k = 0; k < 5; k++) app.append(l('m', { k: String(k) }), tMs, tMs);
    tMs += 10_000;
    return (await app.commit()).accepted;
  };
  assert.equal(await commit(), 5);
  const restore = failNextHeaderWrite();
  let refused: unknown;
  try {
    await commit();
  } catch (err) {
    refused = err;
  } finally {
    restore();
  }
  assert.match(String(refused), /cannot start WAL segment.*no space/, 'the commit at the rollover fails clearly');
  let acked = 5;
  for (let i = 0; i < 3; i++) acked += await commit();
  assert.equal(acked, 20);
  // a crash: no close; a new process replays the WAL
  const again = TsdbStorage.open(o);
  t.after(() => again.close());
  assert.deepEqual(again.openReport.problems, []);
  const got = await values(again, 'm');
  for (let k = 0; k < 5; k++) assert.equal(got.get(String(k))?.length, 4, `series ${k}: every acknowledged sample after the restart`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipUnless, tempDir } from '@fathom/testkit';
import type { PeerCheck } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import { grid, opts, values } from './helpers.js';

/** A 1 MiB tmpfs of our own: needs root and mount(8). */
function tinyFs(path: string): PeerCheck {
  try {
    mkdirSync(path, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'fathom-tsdb-test', path], { stdio: 'pipe' });
    return { ok: true };
  } catch (err) {
    return { ok: false, missing: `a tmpfs mount for the disk-full test (root and mount(8)): ${(err as Error).message.split('\n')[0] ?? ''}` };
  }
}

test('disk full: ingest fails with a clear error, nothing acknowledged is lost, ingest recovers when space returns', async (t) => {
  const dir = await tempDir();
  const mnt = join(dir.path, 'mnt');
  const check = tinyFs(mnt);
  t.after(async () => {
    if (check.ok) execFileSync('umount', ['-l', mnt]);
    await dir.cleanup();
  });
  const skip = skipUnless(check);
  if (skip) return t.skip(skip);
  const dataDir = join(mnt, 'data');
  const s = TsdbStorage.open(opts(dataDir, { checkpointEveryBytes: 1e12 }));
  writeFileSync(join(mnt, 'filler'), Buffer.alloc(700 * 1024));
  let acked = 0;
  let failure: Error | undefined;
  for (let b = 0; b < 1000 && !failure; b++) {
    const app = s.appender();
    for (const [labels, tMs, v] of grid(50, 1, b + 1)) app.append(labels, tMs, v);
    try {
      await app.commit();
      acked = b + 1;
    } catch (err) {
      failure = err as Error;
    }
  }
  assert.ok(failure, 'the disk filled up');
  assert.match(failure.message, /WAL write to .* failed \(no space left on device\); the batch was not stored/);
  assert.ok(acked > 0);
  rmSync(join(mnt, 'filler'));
  const app = s.appender();
  for (const [labels, tMs, v] of grid(50, 1, acked + 1)) app.append(labels, tMs, v);
  assert.equal((await app.commit()).accepted, 50, 'ingest recovers once space is back');
  await s.close();
  const s2 = TsdbStorage.open(opts(dataDir));
  assert.deepEqual(s2.openReport.problems, []);
  const v = await values(s2);
  assert.equal(v.get('7')?.length, acked + 1, 'every acknowledged batch, and nothing of the failed one');
  await s2.close();
});

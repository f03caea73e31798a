/** The file dashboard store: durable across instances, damaged files skipped, unknown ids refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDashboard } from '@fathom/dashboards';
import { tempDir } from '@fathom/testkit';
import { FileDashboardStore } from '../src/dashboard-store.js';

const D = parseDashboard({ version: 1, id: 'ops', title: 'Ops', variables: [], panels: [{ title: 'Up', type: 'stat', unit: 'count', queries: [{ expr: 'count(up)' }] }] });

test('put, reopen, list, get, delete; a damaged file is skipped, not served', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const path = join(dir.path, 'dashboards');
  await new FileDashboardStore(path).put(D);
  await new FileDashboardStore(path).put({ ...D, id: 'b', title: 'Beta' });
  writeFileSync(join(path, 'broken.json'), '{"version": 1, "id": "broken"');
  const s = new FileDashboardStore(path);
  assert.deepEqual((await s.list()).map((x) => x.id), ['b', 'ops']);
  assert.deepEqual(await s.get('ops'), D);
  assert.equal(await s.get('broken'), undefined);
  assert.equal(await s.get('../etc/passwd'), undefined);
  assert.equal(await s.delete('broken'), true, 'a damaged file can still be deleted');
  assert.equal(await s.delete('nope'), false);
  assert.deepEqual(readdirSync(path).sort(), ['b.json', 'ops.json'], 'no temporary files left');
});

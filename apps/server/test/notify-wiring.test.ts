/** The server serves the silences API and the dispatcher's self-metrics; silences survive a restart. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadServerConfig } from '@fathom/config';
import { NOOP_LOGGER } from '@fathom/kit';
import { tempDir } from '@fathom/testkit';
import { FathomServer } from '../src/index.js';

async function start(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = new FathomServer(loadServerConfig({ overrides: { dataDir, port: 0, fsync: 'never' } }), { logger: NOOP_LOGGER });
  const ac = new AbortController();
  const done = server.run(ac.signal);
  const port = await server.listening();
  return { url: `http://127.0.0.1:${port}`, stop: () => (ac.abort(), done) };
}

test('silences API and notify metrics are served; silences survive a restart', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  let s = await start(dir.path);
  const body = { matchers: [{ name: 'namespace', type: '=', value: 'prod' }], startsAtMs: Date.now(), endsAtMs: Date.now() + 3_600_000, createdBy: 'test', comment: 'wiring' };
  const created = (await (await fetch(`${s.url}/api/fathom/silences`, { method: 'POST', body: JSON.stringify(body) })).json()) as { data: { id: string } };
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  assert.match(metrics, /^fathom_notify_alerts 0$/m);
  assert.match(metrics, /^fathom_server_storage_series /m, 'the server metrics are still there');
  await s.stop();
  s = await start(dir.path);
  const list = (await (await fetch(`${s.url}/api/fathom/silences`)).json()) as { data: { id: string; state: string }[] };
  assert.deepEqual(list.data.map((x) => [x.id, x.state]), [[created.data.id, 'active']]);
  await s.stop();
});

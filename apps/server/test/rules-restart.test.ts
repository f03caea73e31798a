/**
 * Rules in the real server, across real restarts on the same data directory: a pending alert
 * keeps its `for` progress, a firing alert stays the same alert (same activeAt, one AlertFiring
 * event), and the rules API answers end to end over HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serverConfigSchema } from '@fathom/config';
import { NOOP_LOGGER } from '@fathom/kit';
import { tempDir, waitFor } from '@fathom/testkit';
import { FathomServer } from '../src/server.js';

interface ApiAlert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
}

const RULES = `groups:
  - name: restart
    interval: 1s
    rules:
      - alert: AlwaysOn
        expr: vector(1)
        for: 4s
        annotations: { summary: "always on" }
`;

async function withServer<T>(dataDir: string, fn: (base: string) => Promise<T>): Promise<T> {
  const server = new FathomServer(serverConfigSchema.parse({ port: 0, dataDir, fsync: 'never', alertLibrary: { enabled: false } }), { logger: NOOP_LOGGER });
  const stop = new AbortController();
  const running = server.run(stop.signal);
  try {
    const port = await server.listening();
    return await fn(`http://127.0.0.1:${port}`);
  } finally {
    stop.abort();
    await running;
  }
}

async function alerts(base: string): Promise<ApiAlert[]> {
  const r = (await (await fetch(`${base}/api/v1/alerts`)).json()) as { data: { alerts: ApiAlert[] } };
  return r.data.alerts;
}

test('alert state survives server restarts: for progress kept, a firing alert is not new', async (t) => {
  const dir = await tempDir('fathom-server-rules-');
  t.after(dir.cleanup);
  await mkdir(join(dir.path, 'rules'), { recursive: true });
  await writeFile(join(dir.path, 'rules', 'restart.yaml'), RULES);
  const pending = await withServer(dir.path, (base) => waitFor('a pending alert', async () => (await alerts(base)).find((a) => a.state === 'pending'), 20_000, 100));
  const firing = await withServer(dir.path, async (base) => {
    const first = await waitFor('the alert after restart', async () => (await alerts(base))[0], 20_000, 100);
    assert.equal(first.activeAt, pending.activeAt, 'the pending alert kept its activeAt (for progress)');
    return waitFor('the alert firing', async () => (await alerts(base)).find((a) => a.state === 'firing'), 20_000, 100);
  });
  assert.equal(firing.activeAt, pending.activeAt);
  await withServer(dir.path, async (base) => {
    const again = await waitFor('the alert after the second restart', async () => (await alerts(base))[0], 20_000, 100);
    assert.equal(again.state, 'firing', 'still firing, not pending again');
    assert.equal(again.activeAt, pending.activeAt);
    const ev = (await (await fetch(`${base}/api/v1/events?start=0&match[]=${encodeURIComponent('{source="alert"}')}`)).json()) as { data: { reason: string }[] };
    assert.deepEqual(
      ev.data.map((e) => e.reason),
      ['AlertFiring'],
      'one AlertFiring event across restarts',
    );
    const rules = (await (await fetch(`${base}/api/fathom/rules`)).json()) as { data: { name: string; status: string }[] };
    assert.deepEqual(rules.data.map((f) => [f.name, f.status]), [['restart.yaml', 'loaded']]);
  });
});

/**
 * Against Debian's prometheus-alertmanager (.ci/peers/notify.sh): the `alertmanager` channel's
 * alerts are read back through its API, resolved ones leave it; and the `webhook` channel's payload
 * has exactly the shape Alertmanager's own webhook sends (same fields, alert by alert).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { NotifyConfig } from '../src/index.js';
import { webhookPayload, buildNotification } from '../src/index.js';
import { executablePeer, freePort, skipUnless, tempDir, waitFor } from '@fathom/testkit';
import { firing, resolved, startHarness } from './harness.js';
import { TestReceiver } from './receiver.js';

const BIN = 'prometheus-alertmanager';

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
  endsAt: string;
  status: { state: string };
}

async function startAlertmanager(t: TestContext, webhookUrl: string): Promise<string> {
  const dir = await tempDir('fathom-am-');
  const port = await freePort();
  const config = join(dir.path, 'alertmanager.yml');
  await writeFile(
    config,
    `route: { receiver: hook, group_by: [alertname], group_wait: 1s, group_interval: 1m, repeat_interval: 1h }\nreceivers:\n  - name: hook\n    webhook_configs: [{ url: '${webhookUrl}', send_resolved: true }]\n`,
  );
  const child = spawn(BIN, [`--config.file=${config}`, `--storage.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited; // Alertmanager stops writing before its directory goes
    await dir.cleanup();
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('alertmanager ready', async () => {
    if (child.exitCode !== null) throw new Error(`alertmanager exited: ${log}`);
    const r = await fetch(`${url}/-/ready`).catch(() => undefined);
    return r?.ok ? true : undefined;
  }, 30_000);
  return url;
}

async function amAlerts(url: string): Promise<AmAlert[]> {
  return (await (await fetch(`${url}/api/v2/alerts`)).json()) as AmAlert[];
}

test('alertmanager channel: alerts arrive in a real Alertmanager and resolve there', { skip: skipUnless(executablePeer(BIN, 'prometheus-alertmanager')) }, async (t) => {
  const hook = new TestReceiver();
  await hook.start();
  t.after(() => hook.stop());
  const am = await startAlertmanager(t, `${hook.url}/am`);
  // Real time here: the Alertmanager compares endsAt with its own clock.
  const cfg: NotifyConfig = { receivers: [{ name: 'am', alertmanager: [{ url: am }] }], route: { receiver: 'am', groupBy: ['alertname'], groupWaitMs: 100, groupIntervalMs: 500 } };
  const h = await startHarness(t, cfg, { realClockTickMs: 50 });
  const a = firing('HighLatency', h.now(), { namespace: 'prod', pod: 'api-1' });
  const b = firing('HighLatency', h.now(), { namespace: 'prod', pod: 'api-2' });
  h.dispatcher.send([a, b]);
  const got = await waitFor('two alerts in Alertmanager', async () => {
    const list = await amAlerts(am);
    return list.length === 2 ? list : undefined;
  }, 10_000);
  const pods = got.map((x) => x.labels['pod']).sort();
  assert.deepEqual(pods, ['api-1', 'api-2']);
  assert.equal(got[0]?.annotations['summary'], 'HighLatency is firing');
  assert.match(got[0]?.generatorURL ?? '', /^http:\/\/fathom\.test:9070\/\?alert=HighLatency$/);
  assert.equal(got[0]?.status.state, 'active');
  const firstEndsAt = Date.parse(got[0]?.endsAt ?? '');
  h.dispatcher.send([a, resolved('HighLatency', h.now(), { namespace: 'prod', pod: 'api-2' })]);
  const left = await waitFor('the resolved alert leaves Alertmanager', async () => {
    const list = await amAlerts(am);
    return list.length === 1 ? list : undefined;
  }, 10_000);
  assert.equal(left[0]?.labels['pod'], 'api-1');
  assert.ok(Date.parse(left[0]?.endsAt ?? '') > firstEndsAt, 'each flush refreshes the firing alert’s endsAt');
  assert.equal([...h.dispatcher.channelStats().values()][0]!.stats.failed, 0);
});

test('webhook payload has the shape of Alertmanager’s own webhook (version 4)', { skip: skipUnless(executablePeer(BIN, 'prometheus-alertmanager')) }, async (t) => {
  const hook = new TestReceiver();
  await hook.start();
  t.after(() => hook.stop());
  const am = await startAlertmanager(t, `${hook.url}/am`);
  const now = Date.now();
  const alert = { labels: { alertname: 'Shape', namespace: 'prod' }, annotations: { summary: 's' }, startsAtMs: now - 1000, endsAtMs: now + 600_000, generatorUrl: 'http://fathom.test/?x' };
  const posted = await fetch(`${am}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ labels: alert.labels, annotations: alert.annotations, startsAt: new Date(alert.startsAtMs).toISOString(), endsAt: new Date(alert.endsAtMs).toISOString(), generatorURL: alert.generatorUrl }]) });
  assert.equal(posted.status, 200);
  const theirs = await waitFor('Alertmanager’s webhook', () => Promise.resolve(hook.received[0]?.json as Record<string, unknown> | undefined), 20_000);
  const ours = webhookPayload(buildNotification({ receiver: 'hook', groupKey: 'k', groupLabels: { alertname: 'Shape' }, alerts: [alert], externalUrl: 'http://fathom.test', nowMs: now, groupIntervalMs: 60_000 })) as unknown as Record<string, unknown>;
  const keys = (o: unknown): string[] => Object.keys(o as object).sort();
  assert.deepEqual(keys(ours).filter((k) => k !== 'fathomGroupURL'), keys(theirs), 'top-level fields');
  const [theirAlert] = theirs['alerts'] as unknown[];
  const [ourAlert] = ours['alerts'] as unknown[];
  assert.deepEqual(keys(ourAlert), keys(theirAlert), 'alert fields');
  assert.equal(ours['version'], theirs['version']);
  assert.equal(typeof ours['truncatedAlerts'], typeof theirs['truncatedAlerts']);
  assert.deepEqual((ourAlert as { labels: unknown }).labels, (theirAlert as { labels: unknown }).labels);
  assert.equal((ourAlert as { status: unknown }).status, (theirAlert as { status: unknown }).status);
  assert.equal((ourAlert as { fingerprint: string }).fingerprint.length, (theirAlert as { fingerprint: string }).fingerprint.length);
});

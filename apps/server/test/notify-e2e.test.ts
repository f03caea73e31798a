/**
 * End to end in one server: a rule put through the rules API fires, the dispatcher (the server's
 * AlertSink) sends one webhook notification however often evaluations re-send it, and a resolve
 * notice when the rule file is deleted; links point at the UI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadServerConfig } from '@fathom/config';
import { NOOP_LOGGER } from '@fathom/kit';
import { tempDir, waitFor } from '@fathom/testkit';
import { FathomServer } from '../src/index.js';

interface Payload {
  status: string;
  alerts: { status: string; labels: Record<string, string>; generatorURL: string }[];
  fathomGroupURL: string;
}

const RULES = `groups:
  - name: e2e
    interval: 100ms
    rules:
      - alert: AlwaysOn
        expr: vector(1)
        labels: { severity: page, namespace: prod }
        annotations: { summary: "always on" }
`;

test('rule → dispatcher → webhook: one firing notification across many evaluations, then one resolve notice', async (t) => {
  const dir = await tempDir();
  const payloads: Payload[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      payloads.push(JSON.parse(body) as Payload);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => hook.close(() => r())));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  const cfg = loadServerConfig({
    overrides: {
      dataDir: dir.path,
      port: 0,
      fsync: 'never',
      // Firing alerts are re-sent once the resend delay has passed (Prometheus' default 1m; here every other evaluation).
      rules: { resendDelayMs: 100 },
      // Only this test's rule goes to the webhook (the built-in Kubernetes library runs too).
      notify: {
        receivers: [{ name: 'ops', webhook: [{ url: hookUrl }] }, { name: 'none' }],
        route: { receiver: 'none', groupBy: ['alertname'], groupWaitMs: 100, groupIntervalMs: 300, routes: [{ matchers: ['alertname="AlwaysOn"'], receiver: 'ops' }] },
      },
    },
  });
  const server = new FathomServer(cfg, { logger: NOOP_LOGGER });
  const ac = new AbortController();
  const done = server.run(ac.signal);
  t.after(async () => {
    ac.abort();
    await done; // the server stops writing before its directory goes
    await dir.cleanup();
  });
  const url = `http://127.0.0.1:${await server.listening()}`;
  const put = await fetch(`${url}/api/fathom/rules/e2e.yml`, { method: 'PUT', body: RULES });
  assert.equal(put.status, 200, await put.text());
  await waitFor('the firing notification', () => Promise.resolve(payloads.length > 0 ? true : undefined), 20_000, 20);
  const received = (): number => server.notifier?.stats().alertsReceived ?? 0;
  const base = received();
  await waitFor('ten more evaluations', () => Promise.resolve(received() >= base + 10 ? true : undefined), 20_000, 20);
  assert.equal(payloads.length, 1, 'evaluations re-send the alert; it is not notified again');
  assert.equal(payloads[0]?.status, 'firing');
  assert.equal(payloads[0]?.alerts[0]?.labels['alertname'], 'AlwaysOn');
  assert.ok(payloads[0]?.alerts[0]?.generatorURL.startsWith(url), 'the alert links to this server’s UI');
  assert.ok(payloads[0]?.fathomGroupURL.startsWith(`${url}/?from=`), 'the group link too (no cluster label: no scope path)');
  assert.equal((await fetch(`${url}/api/fathom/rules/e2e.yml`, { method: 'DELETE' })).status, 200);
  await waitFor('the resolve notice', () => Promise.resolve(payloads.length > 1 ? true : undefined), 20_000, 20);
  assert.equal(payloads[1]?.status, 'resolved');
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /^fathom_notify_notifications_sent_total\{channel="ops\/webhook\/0",kind="webhook",receiver="ops"\} 2$/m);
});

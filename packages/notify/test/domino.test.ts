/**
 * The domino-effect incident at the notification level, every channel at once: the API-latency
 * alert fires first, then node alerts; evaluations keep re-sending them; the incident ends. Each
 * notification arrives exactly once at each channel (a flaky one included), in the order the
 * alerts fired, and each group's resolve notice arrives.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alert, NotifyConfig } from '../src/index.js';
import { TIMING, firing, startHarness } from './harness.js';
import { TestReceiver } from './receiver.js';
import { startSmtp } from './smtp.js';

test('domino incident: latency first, then node alerts; once per channel each; resolve notices', async (t) => {
  const webhook = new TestReceiver();
  const flaky = new TestReceiver();
  flaky.script({ status: 500 }, { status: 502 }, { status: 503 }, { status: 500 }, { status: 500 });
  const slack = new TestReceiver({ status: 200, body: 'ok' });
  const pd = new TestReceiver({ status: 202, body: '{"status":"success"}' });
  for (const r of [webhook, flaky, slack, pd]) {
    await r.start();
    t.after(() => r.stop());
  }
  const smtp = await startSmtp();
  t.after(() => smtp.stop());
  const cfg: NotifyConfig = {
    receivers: [
      {
        name: 'oncall',
        webhook: [{ url: webhook.url }, { url: flaky.url }],
        slack: [{ url: `${slack.url}/services/x` }],
        pagerduty: [{ routingKey: 'key', url: `${pd.url}/v2/enqueue` }],
        email: [{ to: ['oncall@example.com'], from: 'fathom@example.com', host: '127.0.0.1', port: smtp.port }],
      },
    ],
    route: { receiver: 'oncall', groupBy: ['alertname'], ...TIMING },
  };
  const h = await startHarness(t, cfg);
  const latency = (now: number): Alert => firing('APIHighLatency', now, { cluster: 'demo', namespace: 'shop', workload: 'api', severity: 'critical' });
  const notReady = (now: number): Alert => firing('NodeNotReady', now, { cluster: 'demo', node: 'node-3', severity: 'critical' });
  const memory = (now: number): Alert => firing('NodeMemoryPressure', now, { cluster: 'demo', node: 'node-3', severity: 'warning' });
  const phases: ((now: number) => Alert)[][] = [[latency], [latency, notReady], [latency, notReady, memory]];
  for (const active of phases) {
    for (let i = 0; i < 3; i++) {
      h.dispatcher.send(active.map((f) => f(h.now())));
      h.advance(i === 0 ? TIMING.groupWaitMs : TIMING.groupIntervalMs);
      await h.idle();
    }
  }
  const end = h.now();
  for (let i = 0; i < 3; i++) {
    h.dispatcher.send([latency, notReady, memory].map((f) => ({ ...f(end), endsAtMs: end })));
    h.advance(TIMING.groupIntervalMs);
    await h.idle();
  }
  const order = ['APIHighLatency', 'NodeNotReady', 'NodeMemoryPressure'];
  const expectation = [...order.map((n) => `firing:${n}`), ...order.map((n) => `resolved:${n}`)].sort();
  const webhookSeen = (r: TestReceiver): string[] => r.accepted.map((x) => x.json as { status: string; groupLabels: Record<string, string> }).map((p) => `${p.status}:${p.groupLabels['alertname'] ?? ''}`);
  for (const [name, r] of [['webhook', webhook], ['flaky webhook', flaky]] as const) {
    const seen = webhookSeen(r);
    assert.deepEqual(seen.slice(0, 3), order.map((n) => `firing:${n}`), `${name}: latency first, then the node alerts`);
    assert.deepEqual([...seen].sort(), expectation, `${name}: each notification once`);
  }
  assert.equal(flaky.received.length, 6 + 5, 'the flaky channel: 5 refusals retried, nothing duplicated');
  const slackSeen = slack.accepted.map((x) => (x.json as { text: string }).text);
  assert.deepEqual(slackSeen.slice(0, 3), order.map((n) => `[FIRING:1] ${n}`));
  assert.equal(slackSeen.length, 6);
  assert.deepEqual(slackSeen.slice(3).sort(), order.map((n) => `[RESOLVED] ${n}`).sort());
  const pdSeen = pd.accepted.map((x) => x.json as { event_action: string; dedup_key: string });
  assert.deepEqual(pdSeen.map((e) => e.event_action), ['trigger', 'trigger', 'trigger', 'resolve', 'resolve', 'resolve']);
  assert.equal(new Set(pdSeen.map((e) => e.dedup_key)).size, 3, 'one PagerDuty alert per group');
  const subjects = smtp.messages.map((m) => m.mail.subject ?? '');
  assert.deepEqual(subjects.slice(0, 3), order.map((n) => `[FIRING:1] ${n}`));
  assert.deepEqual(subjects.slice(3).sort(), order.map((n) => `[RESOLVED] ${n}`).sort());
});

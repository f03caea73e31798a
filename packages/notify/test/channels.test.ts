/**
 * Slack and PagerDuty channels against local receivers faithful to their contracts (no real Slack
 * or PagerDuty can run here; see packages/notify/README.md, "Gaps"): payload shape, success codes,
 * errors not retried, 429 retried after Retry-After, each notification once, resolve notices.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { NotifyConfig } from '../src/index.js';
import { pagerDutyDedupKey } from '../src/index.js';
import { TIMING, firing, resolved, startHarness } from './harness.js';
import { TestReceiver } from './receiver.js';

const receivers: TestReceiver[] = [];
after(async () => {
  for (const r of receivers) await r.stop();
});

/** Slack's incoming-webhook contract: 200 "ok"; 400 invalid_payload / no_text for bad bodies. */
function slackValidate(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return 'invalid_payload';
  const o = json as { text?: unknown; blocks?: unknown; attachments?: unknown };
  if (typeof o.text !== 'string' && !Array.isArray(o.blocks) && !Array.isArray(o.attachments)) return 'no_text';
  for (const a of (o.attachments ?? []) as { color?: unknown; blocks?: unknown }[]) {
    if (typeof a.color === 'string' && !/^#[0-9a-f]{6}$|^(good|warning|danger)$/i.test(a.color)) return 'invalid_attachments';
    for (const b of (a.blocks ?? []) as { type?: unknown; text?: { text?: string } }[]) {
      if (typeof b.type !== 'string') return 'invalid_blocks';
      if (b.text?.text !== undefined && b.text.text.length > 3000) return 'invalid_blocks';
    }
  }
  return undefined;
}

/** PagerDuty Events API v2: 202 on a valid event, 400 "invalid event" otherwise. */
function pagerDutyValidate(json: unknown): string | undefined {
  const o = json as { routing_key?: unknown; event_action?: unknown; dedup_key?: unknown; payload?: { summary?: unknown; source?: unknown; severity?: unknown } } | null;
  if (!o || typeof o.routing_key !== 'string' || o.routing_key === '') return '{"status":"invalid event","message":"Event object is invalid","errors":["\'routing_key\' is missing or blank"]}';
  if (!['trigger', 'acknowledge', 'resolve'].includes(String(o.event_action))) return '{"status":"invalid event","errors":["\'event_action\' is invalid"]}';
  if (o.event_action !== 'trigger') return typeof o.dedup_key === 'string' ? undefined : '{"status":"invalid event","errors":["\'dedup_key\' is missing"]}';
  const p = o.payload;
  if (!p || typeof p.summary !== 'string' || p.summary.length > 1024 || typeof p.source !== 'string' || !['critical', 'error', 'warning', 'info'].includes(String(p.severity))) {
    return '{"status":"invalid event","errors":["\'payload\' is invalid"]}';
  }
  return undefined;
}

async function receiver(def: ConstructorParameters<typeof TestReceiver>[0], validate: (j: unknown) => string | undefined): Promise<TestReceiver> {
  const r = new TestReceiver(def, validate);
  await r.start();
  receivers.push(r);
  return r;
}

const slackCfg = (url: string): NotifyConfig => ({ externalUrl: 'https://fathom.example.com', receivers: [{ name: 'chat', slack: [{ url: `${url}/services/T0/B0/secret`, channel: '#alerts' }] }], route: { receiver: 'chat', groupBy: ['alertname'], ...TIMING } });

test('slack: one message per change, coloured by status, links to the UI; 429 waits for Retry-After', async (t) => {
  const hook = await receiver({ status: 200, body: 'ok' }, slackValidate);
  hook.script({ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } });
  const h = await startHarness(t, slackCfg(hook.url));
  h.dispatcher.send([firing('HighLatency', h.now(), { namespace: 'prod', cluster: 'c1' })]);
  h.advance(TIMING.groupWaitMs);
  await h.idle();
  h.dispatcher.send([firing('HighLatency', h.now(), { namespace: 'prod', cluster: 'c1' })]);
  h.advance(TIMING.groupIntervalMs);
  h.dispatcher.send([resolved('HighLatency', h.now(), { namespace: 'prod', cluster: 'c1' })]);
  h.advance(TIMING.groupIntervalMs);
  await h.idle();
  assert.equal(hook.received.length, 3, '429, then the firing message, then the resolved one');
  assert.ok(hook.received[1]!.atMs - hook.received[0]!.atMs >= 1000, 'the retry waited for Retry-After');
  const [fire, res] = hook.accepted.map((r) => r.json as { text: string; channel: string; attachments: { color: string; blocks: { text?: { text: string } }[] }[] });
  assert.equal(fire?.text, '[FIRING:1] HighLatency');
  assert.equal(fire?.channel, '#alerts');
  assert.equal(fire?.attachments[0]?.color, '#d63232');
  assert.equal(res?.attachments[0]?.color, '#2eb67d');
  assert.match(res?.text ?? '', /^\[RESOLVED\] HighLatency/);
  const body = JSON.stringify(fire);
  assert.ok(body.includes('http://fathom.test:9070/?alert=HighLatency'), 'the alert link');
  assert.ok(body.includes('https://fathom.example.com/?at=c1'), 'the group link at the scope');
});

test('slack: a refused payload (4xx) is not retried and is counted as failed', async (t) => {
  const hook = await receiver({ status: 404, body: 'channel_not_found' }, slackValidate);
  const h = await startHarness(t, slackCfg(hook.url));
  h.dispatcher.send([firing('A', h.now())]);
  h.advance(TIMING.groupWaitMs);
  await h.idle();
  assert.equal(hook.received.length, 1);
  const s = [...h.dispatcher.channelStats().values()][0]!.stats;
  assert.deepEqual([s.sent, s.failed, s.retried], [0, 1, 0]);
  assert.match(s.lastError, /HTTP 404 channel_not_found/);
  assert.doesNotMatch(s.lastError, /secret/, 'the hook URL is redacted');
});

const pdCfg = (url: string): NotifyConfig => ({ receivers: [{ name: 'page', pagerduty: [{ routingKey: 'R0UT1NGKEY', url: `${url}/v2/enqueue` }] }], route: { receiver: 'page', groupBy: ['alertname'], ...TIMING } });

test('pagerduty: trigger then resolve with one dedup key; 429 and 500 retried; each event once', async (t) => {
  const pd = await receiver({ status: 202, body: '{"status":"success","message":"Event processed"}' }, pagerDutyValidate);
  pd.script({ status: 500 }, { status: 429, body: '{"status":"throttle event"}' });
  const h = await startHarness(t, pdCfg(pd.url));
  h.dispatcher.send([firing('NodeDown', h.now(), { severity: 'critical', node: 'n1' })]);
  h.advance(TIMING.groupWaitMs);
  await h.idle();
  for (let i = 0; i < 3; i++) {
    h.dispatcher.send([firing('NodeDown', h.now(), { severity: 'critical', node: 'n1' })]);
    h.advance(TIMING.groupIntervalMs);
  }
  h.dispatcher.send([resolved('NodeDown', h.now(), { severity: 'critical', node: 'n1' })]);
  h.advance(TIMING.groupIntervalMs);
  await h.idle();
  const events = pd.accepted.map((r) => r.json as { event_action: string; dedup_key: string; payload?: { severity: string; summary: string }; links?: { href: string }[] });
  assert.deepEqual(events.map((e) => e.event_action), ['trigger', 'resolve']);
  assert.equal(events[0]?.dedup_key, events[1]?.dedup_key);
  assert.equal(events[0]?.dedup_key, pagerDutyDedupKey('{}:{alertname="NodeDown"}'));
  assert.equal(events[0]?.payload?.severity, 'critical');
  assert.match(events[0]?.payload?.summary ?? '', /NodeDown is firing \(node=n1\)/);
  assert.ok(events[0]?.links?.some((l) => l.href.startsWith('http://fathom.test:9070/?')));
  assert.equal(pd.received.length, 4, '500, 429, trigger, resolve');
});

test('pagerduty: an invalid event (400) is not retried', async (t) => {
  const pd = await receiver({ status: 202 }, pagerDutyValidate);
  const cfg = pdCfg(pd.url);
  const h = await startHarness(t, { ...cfg, receivers: [{ name: 'page', pagerduty: [{ routingKey: '', url: `${pd.url}/v2/enqueue` }] }] });
  h.dispatcher.send([firing('A', h.now())]);
  h.advance(TIMING.groupWaitMs);
  await h.idle();
  assert.equal(pd.received.length, 1);
  assert.match([...h.dispatcher.channelStats().values()][0]!.stats.lastError, /HTTP 400 .*routing_key/);
});

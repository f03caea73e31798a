/**
 * The e-mail channel against a real SMTP server (the `smtp-server` package, listening on
 * loopback): the message is read back and parsed (subject, recipients, text and HTML bodies,
 * links); 4xx replies are retried, 5xx are not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NotifyConfig } from '../src/index.js';
import { TIMING, firing, resolved, startHarness } from './harness.js';
import { startSmtp } from './smtp.js';

const cfg = (port: number): NotifyConfig => ({
  externalUrl: 'https://fathom.example.com',
  receivers: [{ name: 'mail', email: [{ to: ['oncall@example.com', 'lead@example.com'], from: 'Fathom <fathom@example.com>', host: '127.0.0.1', port }] }],
  route: { receiver: 'mail', groupBy: ['alertname'], ...TIMING },
});

test('email: firing and resolved messages arrive once each, readable, with the links', async (t) => {
  const smtp = await startSmtp();
  t.after(() => smtp.stop());
  const h = await startHarness(t, cfg(smtp.port));
  const labels = { namespace: 'prod', cluster: 'c1', workload: 'api' };
  h.dispatcher.send([firing('HighLatency', h.now(), labels)]);
  h.advance(TIMING.groupWaitMs);
  await h.idle();
  for (let i = 0; i < 3; i++) {
    h.dispatcher.send([firing('HighLatency', h.now(), labels)]);
    h.advance(TIMING.groupIntervalMs);
  }
  h.dispatcher.send([resolved('HighLatency', h.now(), labels)]);
  h.advance(TIMING.groupIntervalMs);
  await h.idle();
  assert.equal(smtp.messages.length, 2);
  const [fire, res] = smtp.messages;
  assert.equal(fire?.mail.subject, '[FIRING:1] HighLatency');
  assert.equal(res?.mail.subject, '[RESOLVED] HighLatency');
  assert.deepEqual(fire?.rcpt, ['oncall@example.com', 'lead@example.com']);
  assert.equal(fire?.mail.from?.value[0]?.address, 'fathom@example.com');
  assert.match(fire?.mail.text ?? '', /\[firing\] HighLatency is firing \(cluster=c1 namespace=prod workload=api\)/);
  assert.match(fire?.mail.text ?? '', /http:\/\/fathom\.test:9070\/\?alert=HighLatency/);
  assert.match(fire?.mail.text ?? '', /Open in Fathom: https:\/\/fathom\.example\.com\/\?at=c1&at=prod&at=api&from=\d+&to=\d+/);
  const html = typeof fire?.mail.html === 'string' ? fire.mail.html : '';
  assert.match(html, /<a href="http:\/\/fathom\.test:9070\/\?alert=HighLatency">HighLatency is firing/);
  assert.match(html, /<a href="https:\/\/fathom\.example\.com\/\?at=c1&amp;at=prod&amp;at=api&amp;from=/);
});

test('email: a 4xx reply is retried and delivered once; a 5xx reply is not retried', async (t) => {
  const smtp = await startSmtp();
  t.after(() => smtp.stop());
  smtp.rcptReplies.push(451, 451, 451, 451); // two attempts refused for both recipients
  const h = await startHarness(t, cfg(smtp.port));
  h.dispatcher.send([firing('A', h.now())]);
  h.advance(TIMING.groupWaitMs);
  await h.idle();
  assert.equal(smtp.messages.length, 1);
  const s1 = [...h.dispatcher.channelStats().values()][0]!.stats;
  assert.deepEqual([s1.sent, s1.retried, s1.failed], [1, 2, 0]);
  smtp.rcptReplies.push(550, 550);
  h.dispatcher.send([firing('A', h.now()), firing('B', h.now())]);
  h.advance(TIMING.groupIntervalMs);
  await h.idle();
  const s2 = [...h.dispatcher.channelStats().values()][0]!.stats;
  assert.deepEqual([s2.sent, s2.failed], [1, 1]);
  assert.match(s2.lastError, /smtp: .*mailbox unavailable/);
  assert.equal(smtp.messages.length, 1);
});

test('email: a channel closed before its first delivery closes cleanly (no transport made) and a later delivery is retryable, not a throw', async () => {
  const { EmailChannel, buildNotification } = await import('../src/index.js');
  const ch = new EmailChannel('mail', { to: ['oncall@example.com'], from: 'fathom@example.com', host: '127.0.0.1', port: 9 });
  await ch.close();
  await ch.close();
  const n = buildNotification({ receiver: 'mail', groupKey: 'g', groupLabels: { alertname: 'A' }, alerts: [firing('A', 1_000_000)], externalUrl: 'https://fathom.example.com', nowMs: 1_000_000, groupIntervalMs: 60_000 });
  const r = await ch.deliver(n, new AbortController().signal);
  assert.equal(r.status, 'retryable');
  assert.match(r.status === 'retryable' ? r.reason : '', /closed/);
});

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { alertsFile, loadAlerts } from '../src/index.js';
import type { NotifyConfig, WebhookPayload } from '../src/index.js';
import { waitFor } from '@fathom/testkit';
import { T0, TIMING, firing, resolved, startHarness } from './harness.js';
import { TestReceiver } from './receiver.js';

const receivers: TestReceiver[] = [];
after(async () => {
  for (const r of receivers) await r.stop();
});

async function receiver(...args: ConstructorParameters<typeof TestReceiver>): Promise<TestReceiver> {
  const r = new TestReceiver(...args);
  await r.start();
  receivers.push(r);
  return r;
}

function config(urls: string[], over: Partial<NotifyConfig['route']> = {}): NotifyConfig {
  return { receivers: [{ name: 'team', webhook: urls.map((url) => ({ url })) }], route: { receiver: 'team', groupBy: ['alertname'], ...TIMING, ...over } };
}

const payloads = (r: TestReceiver): WebhookPayload[] => r.accepted.map((x) => x.json as WebhookPayload);

test('each notification arrives once at each channel; evaluator re-sends do not notify again; resolve notices arrive', async (t) => {
  const [a, b] = [await receiver(), await receiver()];
  const h = await startHarness(t, config([a.url, b.url]));
  h.dispatcher.send([firing('HighLatency', h.now(), { pod: 'p1' })]);
  h.advance(500);
  h.dispatcher.send([firing('HighLatency', h.now(), { pod: 'p1' }), firing('HighLatency', h.now(), { pod: 'p2' })]);
  h.advance(500); // group wait over
  await h.idle();
  for (let i = 0; i < 6; i++) {
    h.dispatcher.send([firing('HighLatency', h.now(), { pod: 'p1' }), firing('HighLatency', h.now(), { pod: 'p2' })]);
    h.advance(TIMING.groupIntervalMs);
  }
  await h.idle();
  for (const r of [a, b]) {
    assert.equal(r.received.length, 1, 'one notification per channel despite 7 evaluations');
    assert.equal(payloads(r)[0]?.alerts.length, 2);
    assert.equal(payloads(r)[0]?.status, 'firing');
  }
  h.dispatcher.send([firing('HighLatency', h.now(), { pod: 'p1' }), resolved('HighLatency', h.now(), { pod: 'p2' })]);
  h.advance(TIMING.groupIntervalMs);
  await h.idle();
  h.dispatcher.send([resolved('HighLatency', h.now(), { pod: 'p1' }), resolved('HighLatency', h.now(), { pod: 'p2' })]);
  for (let i = 0; i < 4; i++) h.advance(TIMING.groupIntervalMs);
  await h.idle();
  for (const r of [a, b]) {
    assert.deepEqual(payloads(r).map((p) => [p.status, p.alerts.map((x) => x.status).join()]), [
      ['firing', 'firing,firing'],
      ['firing', 'firing,resolved'],
      ['resolved', 'resolved'], // p2's resolution was told in the previous notice, so it was collected (Alertmanager does the same)
    ]);
  }
  h.advance(TIMING.groupIntervalMs);
  assert.equal(h.dispatcher.stats().alertsHeld, 0, 'resolved and notified alerts are collected at the next flush');
  await h.stop();
});

test('a channel answering 500 is retried until it accepts: delivered exactly once, nothing lost', async (t) => {
  const r = await receiver();
  r.script({ status: 500, body: 'boom' }, { status: 503 }, { status: 500 });
  const h = await startHarness(t, config([r.url]));
  h.dispatcher.send([firing('DiskFull', h.now())]);
  h.advance(TIMING.groupWaitMs);
  await h.idle();
  for (let i = 0; i < 3; i++) {
    h.dispatcher.send([firing('DiskFull', h.now())]);
    h.advance(TIMING.groupIntervalMs);
  }
  await h.idle();
  assert.equal(r.received.length, 4, '3 refusals + 1 success');
  assert.equal(r.accepted.length, 1);
  const s = [...h.dispatcher.channelStats().values()][0]!.stats;
  assert.deepEqual([s.sent, s.retried, s.failed, s.dropped], [1, 3, 0, 0]);
  await h.stop();
});

test('a channel that gives up is sent again at the next flush, once', async (t) => {
  const r = await receiver();
  r.script({ status: 502 }, { status: 502 });
  const h = await startHarness(t, config([r.url]), { maxAttempts: 2 });
  h.dispatcher.send([firing('DiskFull', h.now())]);
  h.advance(TIMING.groupWaitMs);
  await h.idle();
  assert.equal(r.accepted.length, 0);
  h.advance(TIMING.groupIntervalMs);
  await h.idle();
  h.advance(TIMING.groupIntervalMs);
  await h.idle();
  assert.equal(r.accepted.length, 1);
  assert.equal([...h.dispatcher.channelStats().values()][0]!.stats.failed, 1);
  await h.stop();
});

test('a channel that is down (hanging) does not delay another: every group reaches the healthy one first', async (t) => {
  const down = await receiver({ status: 200, hang: true });
  const up = await receiver();
  const h = await startHarness(t, config([down.url, up.url]), { timeoutMs: 60_000 });
  h.dispatcher.send(['A', 'B', 'C'].map((n) => firing(n, h.now())));
  h.advance(TIMING.groupWaitMs);
  await waitUntil(() => up.accepted.length === 3);
  assert.equal(down.accepted.length, 0);
  assert.ok(down.received.length <= 1, 'the down channel is stuck on its first notification');
  const stats = [...h.dispatcher.channelStats().values()];
  assert.equal(stats[0]!.stats.inFlight + stats[0]!.stats.queueLength, 3, 'its other notifications wait in its own queue');
  await h.stop();
});

test('a full queue drops the oldest and counts it', async (t) => {
  const down = await receiver({ status: 200, hang: true });
  const cfg: NotifyConfig = { ...config([down.url]), queueCapacity: 2 };
  const h = await startHarness(t, cfg, { timeoutMs: 60_000 });
  h.dispatcher.send(['A', 'B', 'C', 'D', 'E'].map((n) => firing(n, h.now())));
  h.advance(TIMING.groupWaitMs);
  await waitUntil(() => down.received.length === 1);
  const s = [...h.dispatcher.channelStats().values()][0]!.stats;
  assert.equal(s.dropped + s.queueLength + s.inFlight, 5, 'every notification is delivered, queued or counted as dropped');
  assert.ok(s.queueLength <= 2);
  assert.ok(s.dropped >= 2);
  await h.stop();
});

test('a restart keeps state: nothing delivered is sent again, a resolve notice that was due is sent once', async (t) => {
  const r = await receiver();
  const h1 = await startHarness(t, config([r.url]));
  h1.dispatcher.send([firing('A', h1.now(), { pod: '1' }), firing('A', h1.now(), { pod: '2' })]);
  h1.advance(TIMING.groupWaitMs);
  await h1.idle();
  assert.equal(r.accepted.length, 1);
  r.setDefault({ status: 503 });
  h1.dispatcher.send([firing('A', h1.now(), { pod: '1' }), resolved('A', h1.now(), { pod: '2' })]);
  h1.advance(TIMING.groupIntervalMs);
  await waitUntil(() => r.received.length >= 2); // the resolve notice is refused…
  await h1.stop(); // …and the server stops before it gets through
  r.setDefault({ status: 200, body: 'ok' });
  const h2 = await startHarness(t, config([r.url]), { dir: h1.dir, startMs: h1.now() + 1000 });
  h2.advance(TIMING.groupWaitMs); // the evaluator has not re-sent anything yet: the state alone says what is due
  await h2.idle();
  for (let i = 0; i < 3; i++) {
    h2.dispatcher.send([firing('A', h2.now(), { pod: '1' })]);
    h2.advance(TIMING.groupIntervalMs);
  }
  await h2.idle();
  assert.deepEqual(
    payloads(r).map((p) => p.alerts.map((a) => `${a.labels['pod'] ?? ''}:${a.status}`).sort().join()),
    ['1:firing,2:firing', '1:firing,2:resolved'],
  );
  await h2.stop();
  const h3 = await startHarness(t, config([r.url]), { dir: h1.dir, startMs: h2.now() + 1000 });
  h3.dispatcher.send([firing('A', h3.now(), { pod: '1' })]);
  h3.advance(TIMING.groupWaitMs);
  h3.advance(TIMING.groupIntervalMs);
  await h3.idle();
  assert.equal(r.accepted.length, 2, 'no duplicate after a clean restart');
  await h3.stop();
});

test('silences suppress while active and expire', async (t) => {
  const r = await receiver();
  const h = await startHarness(t, config([r.url]));
  const s = h.silences.upsert({ matchers: [{ name: 'alertname', type: '=', value: 'Noisy' }], startsAtMs: h.now(), endsAtMs: h.now() + 20_000, createdBy: 'ops', comment: 'deploy' });
  h.dispatcher.send([firing('Noisy', h.now()), firing('Other', h.now())]);
  h.advance(TIMING.groupWaitMs);
  await h.idle();
  assert.deepEqual(payloads(r).map((p) => p.groupLabels['alertname']), ['Other']);
  for (let i = 0; i < 3; i++) {
    h.dispatcher.send([firing('Noisy', h.now()), firing('Other', h.now())]);
    h.advance(TIMING.groupIntervalMs);
  }
  await h.idle();
  assert.equal(r.accepted.length, 1, 'still silenced');
  h.dispatcher.send([firing('Noisy', h.now()), firing('Other', h.now())]);
  h.advance(TIMING.groupIntervalMs * 2); // past the silence's end
  await h.idle();
  assert.deepEqual(payloads(r).map((p) => p.groupLabels['alertname']), ['Other', 'Noisy']);
  assert.ok(h.dispatcher.stats().suppressedBySilence >= 4);
  assert.equal(h.silences.get(s.id)?.state, 'expired');
  await h.stop();
});

test('mute windows hold notifications until the window ends; then what is due is sent', async (t) => {
  const r = await receiver();
  const cfg: NotifyConfig = {
    ...config([r.url], { muteWindows: ['night'] }),
    muteWindows: [{ name: 'night', timeIntervals: [{ times: [{ start: '00:00', end: '06:00' }], location: 'UTC' }] }],
  };
  const h = await startHarness(t, cfg, { startMs: Date.parse('2026-11-25T05:59:00Z') });
  h.dispatcher.send([firing('A', h.now())]);
  h.advance(TIMING.groupWaitMs);
  await h.idle();
  assert.equal(r.received.length, 0, 'muted at 05:59');
  h.dispatcher.send([firing('A', h.now())]);
  h.advance(59_500); // 06:00:00.5
  await h.idle();
  assert.equal(r.accepted.length, 1);
  assert.equal(h.dispatcher.stats().mutedFlushes, 1);
  await h.stop();
});

test('an alert the evaluator stops refreshing resolves by itself', async (t) => {
  const r = await receiver();
  const h = await startHarness(t, { ...config([r.url]), resolveTimeoutMs: 30_000 });
  const f = firing('Lost', h.now());
  h.dispatcher.send([{ labels: f.labels, annotations: f.annotations, startsAtMs: f.startsAtMs, generatorUrl: f.generatorUrl }]);
  h.advance(TIMING.groupWaitMs);
  await h.idle();
  for (let i = 0; i < 8; i++) h.advance(TIMING.groupIntervalMs);
  await h.idle();
  assert.deepEqual(payloads(r).map((p) => p.status), ['firing', 'resolved']);
  assert.equal(payloads(r)[1]?.alerts[0]?.endsAt, new Date(T0 + 30_000).toISOString(), 'resolved when the timeout after its last refresh passed');
  await h.stop();
});

test('sendResolved: false leaves resolved alerts out and sends nothing when all resolve', async (t) => {
  const r = await receiver();
  const cfg: NotifyConfig = { receivers: [{ name: 'team', webhook: [{ url: r.url, sendResolved: false }] }], route: { receiver: 'team', groupBy: ['alertname'], ...TIMING } };
  const h = await startHarness(t, cfg);
  h.dispatcher.send([firing('A', h.now(), { pod: '1' }), firing('A', h.now(), { pod: '2' })]);
  h.advance(TIMING.groupWaitMs);
  h.dispatcher.send([firing('A', h.now(), { pod: '1' }), resolved('A', h.now(), { pod: '2' })]);
  h.advance(TIMING.groupIntervalMs);
  h.dispatcher.send([resolved('A', h.now(), { pod: '1' }), resolved('A', h.now(), { pod: '2' })]);
  h.advance(TIMING.groupIntervalMs);
  h.advance(TIMING.groupIntervalMs);
  await h.idle();
  assert.equal(r.accepted.length, 1);
  assert.equal(h.dispatcher.stats().alertsHeld, 0);
  await h.stop();
});

async function waitUntil(cond: () => boolean): Promise<void> {
  await waitFor('condition', () => Promise.resolve(cond() ? true : undefined), 20_000, 5);
}

test('a failed save of the held alerts is counted and retried at the next save tick', async (t) => {
  const r = await receiver();
  const h = await startHarness(t, config([r.url]));
  // A directory where the file goes: every write of it fails until it is removed.
  mkdirSync(alertsFile(h.dir), { recursive: true });
  h.dispatcher.send([firing('A', h.now(), { pod: '1' })]);
  h.advance(10_000);
  await waitFor('the failed save', () => Promise.resolve(h.dispatcher.stats().saveErrors === 1 ? true : undefined), 10_000, 5);
  rmSync(alertsFile(h.dir), { recursive: true });
  h.advance(10_000);
  await waitFor('the retried save', () => Promise.resolve(existsSync(alertsFile(h.dir)) ? true : undefined), 10_000, 5);
  assert.deepEqual(loadAlerts(h.dir).map((a) => a.labels['pod']), ['1']);
  assert.equal(h.dispatcher.stats().saveErrors, 1);
});

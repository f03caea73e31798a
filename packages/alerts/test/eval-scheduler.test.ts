/**
 * Cooperative evaluation, tested by the order of events, never by timing thresholds: slots are
 * first come first served and bounded, a used-up slice gives the event loop a turn (I/O queued
 * during a heavy group runs before the group ends), bounded groups wait for a slot, and firing
 * alerts are resent after the resend delay, not at every evaluation.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NOOP_LOGGER } from '@fathom/kit';
import { labelsOf, matcher } from '@fathom/model';
import type { Matcher } from '@fathom/model';
import { QueryEngine } from '@fathom/query';
import type { Querier, Queryable, SelectHints } from '@fathom/storage';
import { tempDir, waitFor } from '@fathom/testkit';
import { CountingAlertSink, EvalScheduler, MemoryStorage, RuleManager } from '../src/index.js';

test('slots: bounded, first come first served, released once, a waiter that aborts leaves the queue', async () => {
  const s = new EvalScheduler({ maxConcurrentGroups: 2, sliceMs: 10 });
  const order: string[] = [];
  const a = await s.acquire();
  const b = await s.acquire();
  const gone = new AbortController();
  const c = s.acquire().then((r) => (order.push('c'), r));
  const d = s.acquire(gone.signal).then((r) => (order.push(r ? 'd' : 'd aborted'), r));
  const e = s.acquire().then((r) => (order.push('e'), r));
  assert.deepEqual(s.stats(), { yields: 0, slotWaits: 3, running: 2, waiting: 3 });
  gone.abort();
  await d;
  a?.();
  a?.(); // a second release is ignored
  (await c)?.();
  b?.();
  (await e)?.();
  assert.deepEqual(order, ['d aborted', 'c', 'e']);
  assert.equal(s.stats().running, 0);
});

test('pause gives the event loop a turn only when the slice is used up', async () => {
  let nowMs = 0;
  const s = new EvalScheduler({ maxConcurrentGroups: 1, sliceMs: 10, clockMs: () => nowMs });
  const order: string[] = [];
  setImmediate(() => order.push('io'));
  nowMs = 5;
  await s.pause();
  order.push('within the slice');
  nowMs = 10;
  await s.pause();
  order.push('after the turn');
  assert.deepEqual(order, ['within the slice', 'io', 'after the turn']);
  assert.equal(s.stats().yields, 1);
});

/** Queryable recording each selection, holding them at a gate when asked, and calling `onFirstSelect` once. */
class RecordingQueryable implements Queryable {
  readonly log: string[] = [];
  entered = 0;
  onFirstSelect: () => void = () => undefined;
  private _gate: Promise<void> = Promise.resolve();
  private _open: () => void = () => undefined;
  constructor(private readonly _inner: Queryable) {}
  close(): void {
    this._gate = new Promise((r) => (this._open = r));
  }
  open(): void {
    this._open();
  }
  async querier(minMs: number, maxMs: number): Promise<Querier> {
    const q = await this._inner.querier(minMs, maxMs);
    return {
      ...q,
      select: async (matchers: readonly Matcher[], hints?: SelectHints) => {
        if (this.entered++ === 0) this.onFirstSelect();
        this.log.push('select');
        await this._gate;
        return q.select(matchers, hints);
      },
    };
  }
}

async function heavyGroupSetup(rules: number) {
  const dir = await tempDir('fathom-rules-coop-');
  await mkdir(join(dir.path, 'rules'), { recursive: true });
  const lines = ['groups:', '  - name: heavy', '    rules:'];
  for (let i = 0; i < rules; i++) lines.push(`      - record: heavy:${i}`, '        expr: sum(m)');
  await writeFile(join(dir.path, 'rules', 'heavy.yaml'), `${lines.join('\n')}\n`);
  const storage = new MemoryStorage();
  const app = storage.appender();
  app.append(labelsOf({ __name__: 'm', i: '1' }), Date.now() - 10_000, 1);
  await app.commit();
  return { dir, storage };
}

for (const { sliceMs, ioDuringGroup } of [
  { sliceMs: 0, ioDuringGroup: true },
  { sliceMs: 1e9, ioDuringGroup: false },
]) {
  test(`an HTTP request sent while a heavy group evaluates is answered ${ioDuringGroup ? 'before the group ends (slices)' : 'after it (one slice holds the loop)'}`, async (t) => {
    const { dir, storage } = await heavyGroupSetup(40);
    t.after(dir.cleanup);
    const scheduler = new EvalScheduler({ maxConcurrentGroups: 1, sliceMs });
    const recorded = new RecordingQueryable(scheduler.queryable(storage));
    const m = new RuleManager({ engine: new QueryEngine(recorded), scheduler, storage, sink: new CountingAlertSink(), logger: NOOP_LOGGER, dir: join(dir.path, 'rules'), stateFile: join(dir.path, 'state'), defaultIntervalMs: 60_000, externalUrl: 'http://ui' });
    const api = createServer((_req, res) => {
      recorded.log.push('api answered');
      res.end('ok');
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    t.after(() => api.close());
    await m.load();
    // The request starts once the group is evaluating; the client and the server both need turns of the loop.
    let answered: Promise<string> | undefined;
    recorded.onFirstSelect = () => {
      answered = fetch(`http://127.0.0.1:${(api.address() as AddressInfo).port}/`).then((r) => r.text());
    };
    await m.evaluateAll(Date.now());
    assert.equal(await answered, 'ok');
    const log = recorded.log;
    assert.equal(log.filter((x) => x === 'select').length, 40);
    const at = log.indexOf('api answered');
    if (ioDuringGroup) assert.ok(at >= 0 && at < log.lastIndexOf('select'), log.join(','));
    else assert.ok(at > log.lastIndexOf('select'), log.join(','));
  });
}

test('groups beyond maxConcurrentGroups wait for a slot; each still runs', async (t) => {
  const dir = await tempDir('fathom-rules-slots-');
  t.after(dir.cleanup);
  await mkdir(join(dir.path, 'rules'), { recursive: true });
  const group = (n: string): string => `  - name: ${n}\n    interval: 50ms\n    rules:\n      - record: x:${n}\n        expr: sum(m)\n`;
  await writeFile(join(dir.path, 'rules', 'g.yaml'), `groups:\n${group('a')}${group('b')}${group('c')}`);
  const storage = new MemoryStorage();
  const scheduler = new EvalScheduler({ maxConcurrentGroups: 1, sliceMs: 10 });
  const gated = new RecordingQueryable(storage);
  gated.close();
  const m = new RuleManager({ engine: new QueryEngine(gated), scheduler, storage, sink: new CountingAlertSink(), logger: NOOP_LOGGER, dir: join(dir.path, 'rules'), stateFile: join(dir.path, 'state'), defaultIntervalMs: 1000, externalUrl: 'http://ui' });
  const stop = new AbortController();
  const running = m.run(stop.signal);
  try {
    await waitFor('two groups waiting for the slot', () => Promise.resolve(scheduler.stats().waiting === 2 || undefined), 10_000, 5);
    assert.equal(gated.entered, 1, 'only the group holding the slot has started');
    gated.open();
    await waitFor('every group evaluated', () => Promise.resolve(m.groups().every((g) => g.evaluations > 0) || undefined), 10_000, 5);
    assert.ok(scheduler.stats().slotWaits >= 2);
  } finally {
    gated.open();
    stop.abort();
    await running;
  }
});

const MIN = 60_000;

/** A RuleManager over `up{instance="a"} 0` for `minutes` minutes (one rule `Down: up == 0`). */
async function downManager(t: TestContext, minutes: number, rule: string, opts: { resendDelayMs?: number; sink?: CountingAlertSink } = {}) {
  const dir = await tempDir('fathom-rules-down-');
  t.after(dir.cleanup);
  await mkdir(join(dir.path, 'rules'), { recursive: true });
  await writeFile(join(dir.path, 'rules', 'up.yaml'), `groups:\n  - name: g\n    interval: 1m\n    rules:\n      - alert: Down\n        expr: up == 0\n${rule}`);
  const t0 = Math.floor(Date.now() / MIN) * MIN - 10 * MIN;
  const storage = new MemoryStorage();
  const app = storage.appender();
  for (let i = 0; i < minutes; i++) app.append(labelsOf({ __name__: 'up', instance: 'a' }), t0 + i * MIN, 0);
  await app.commit();
  const m = new RuleManager({ engine: new QueryEngine(storage), storage, sink: opts.sink ?? new CountingAlertSink(), logger: NOOP_LOGGER, dir: join(dir.path, 'rules'), stateFile: join(dir.path, 'state'), defaultIntervalMs: MIN, externalUrl: 'http://ui', ...(opts.resendDelayMs !== undefined ? { resendDelayMs: opts.resendDelayMs } : {}) });
  await m.load();
  return { m, t0, storage };
}

test('a firing alert is resent after the resend delay, not at every evaluation', async (t) => {
  const sink = new CountingAlertSink();
  const { m, t0 } = await downManager(t, 10, '', { resendDelayMs: 2 * MIN, sink });
  const sentAt: number[] = [];
  for (let i = 0; i < 7; i++) {
    const before = sink.alerts;
    await m.evaluateAll(t0 + i * MIN);
    if (sink.alerts > before) sentAt.push(i);
  }
  // Prometheus' needsSending: sent when it fires, then once lastSent + resendDelay < now.
  assert.deepEqual(sentAt, [0, 3, 6]);
});

test('ALERTS follows the state: pending, then firing with a staleness marker for the pending series', async (t) => {
  const { m, t0, storage } = await downManager(t, 4, '        for: 1m\n');
  for (let i = 0; i < 3; i++) await m.evaluateAll(t0 + i * MIN);
  const series = await (await storage.querier(t0, t0 + 3 * MIN)).select([matcher('__name__', '=', 'ALERTS')]);
  const byState = Object.fromEntries(series.map((s) => [s.labels['alertstate'], Array.from(s.samples.values, (v) => (Number.isNaN(v) ? 'stale' : v))]));
  assert.deepEqual(byState, { pending: [1, 'stale'], firing: [1, 1] });
  assert.equal(series[0]?.labels['instance'], 'a');
});

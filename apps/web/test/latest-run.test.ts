/** LatestRun: a moving clock lets the running load finish; a new scope aborts it; newest waiting wins. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatestRun } from '../src/lib/latest-run.js';
import type { RunResult } from '../src/lib/latest-run.js';

interface Pending {
  readonly key: string;
  readonly signal: AbortSignal;
  readonly resolve: (v: string) => void;
  readonly reject: (e: Error) => void;
}

function harness() {
  const started: string[] = [];
  const results: RunResult<string>[] = [];
  const calls: Pending[] = [];
  const run = new LatestRun<string>((k) => started.push(k), (r) => results.push(r));
  const load = (key: string) => (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      calls.push({ key, signal, resolve, reject });
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  const ask = (key: string, group: string): void => run.request(key, group, load(key));
  return { run, ask, started, results, calls };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

test('ticks in one group wait for the running load; only the newest waiting one runs', async () => {
  const h = harness();
  h.ask('t1', 'panel');
  h.ask('t2', 'panel');
  h.ask('t3', 'panel');
  assert.deepEqual(h.started, ['t1']);
  assert.equal(h.calls[0]!.signal.aborted, false);
  assert.equal(h.run.waitingKey, 't3');
  assert.equal(h.run.coalesced, 1);
  h.calls[0]!.resolve('a');
  await settle();
  assert.deepEqual(h.results, [{ key: 't1', data: 'a' }]);
  assert.deepEqual(h.started, ['t1', 't3']);
  h.calls[1]!.resolve('b');
  await settle();
  assert.deepEqual(h.results.map((r) => r.key), ['t1', 't3']);
  assert.equal(h.run.runningKey, undefined);
});

test('another group aborts the running load, drops the waiting one and starts at once', async () => {
  const h = harness();
  h.ask('t1', 'ns=a');
  h.ask('t2', 'ns=a');
  h.ask('x1', 'ns=b');
  assert.equal(h.calls[0]!.signal.aborted, true);
  assert.deepEqual(h.started, ['t1', 'x1']);
  assert.equal(h.run.waitingKey, undefined);
  h.calls[1]!.resolve('b');
  await settle();
  assert.deepEqual(h.results, [{ key: 'x1', data: 'b' }], 'the aborted load reports nothing');
});

test('asking again for the running key forgets a waiting one', async () => {
  const h = harness();
  h.ask('t1', 'g');
  h.ask('t2', 'g');
  h.ask('t1', 'g');
  assert.equal(h.run.waitingKey, undefined);
  h.calls[0]!.resolve('a');
  await settle();
  assert.deepEqual(h.started, ['t1']);
});

test('an error is reported and the waiting request still runs', async () => {
  const h = harness();
  h.ask('t1', 'g');
  h.ask('t2', 'g');
  h.calls[0]!.reject(new Error('bad_data: parse error'));
  await settle();
  assert.deepEqual(h.results, [{ key: 't1', error: 'bad_data: parse error' }]);
  assert.deepEqual(h.started, ['t1', 't2']);
});

test('stop aborts the running load, and nothing starts or reports afterwards', async () => {
  const h = harness();
  h.ask('t1', 'g');
  h.ask('t2', 'g');
  h.run.stop();
  assert.equal(h.calls[0]!.signal.aborted, true);
  h.ask('t3', 'g');
  await settle();
  assert.deepEqual(h.started, ['t1']);
  assert.deepEqual(h.results, []);
});

test('abort drops the running and the waiting load; a later request runs', async () => {
  const h = harness();
  h.ask('t1', 'panel');
  h.ask('t2', 'panel');
  h.run.abort();
  assert.ok(h.calls[0]!.signal.aborted);
  assert.equal(h.run.runningKey, undefined);
  assert.equal(h.run.waitingKey, undefined);
  await settle();
  assert.deepEqual(h.results, [], 'an aborted load reports nothing');
  h.ask('t3', 'panel');
  assert.deepEqual(h.started, ['t1', 't3']);
  h.calls[1]!.resolve('c');
  await settle();
  assert.deepEqual(h.results, [{ key: 't3', data: 'c' }]);
});

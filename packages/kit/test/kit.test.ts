import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedQueue, DEFAULT_BACKOFF, backoffDelayMs, createLogger, runGroup, sleep, untilAborted } from '../src/index.js';
import type { Service } from '../src/index.js';

test('runGroup: the first service to return stops the others', async () => {
  const stopped: string[] = [];
  const waiter = (name: string): Service => ({
    name,
    run: async (signal) => {
      await untilAborted(signal);
      stopped.push(name);
    },
  });
  const quitter: Service = { name: 'quitter', run: () => sleep(10) };
  await runGroup([waiter('a'), waiter('b'), quitter], new AbortController().signal);
  assert.deepEqual(stopped.sort(), ['a', 'b']);
});

test('runGroup: an error is rethrown with the service name after all stop', async () => {
  let otherStopped = false;
  const failing: Service = { name: 'bad', run: () => Promise.reject(new Error('boom')) };
  const other: Service = {
    name: 'ok',
    run: async (s) => {
      await untilAborted(s);
      otherStopped = true;
    },
  };
  await assert.rejects(runGroup([failing, other], new AbortController().signal), /bad: boom/);
  assert.ok(otherStopped);
});

test('runGroup: an external abort stops everything', async () => {
  const ac = new AbortController();
  const p = runGroup([{ name: 'x', run: (s) => untilAborted(s) }], ac.signal);
  ac.abort();
  await p;
});

test('BoundedQueue evicts the oldest and counts drops', () => {
  const q = new BoundedQueue<number>(2);
  q.push(1);
  q.push(2);
  assert.equal(q.push(3), 1);
  assert.equal(q.droppedTotal, 1);
  assert.deepEqual([q.shift(), q.shift(), q.shift()], [2, 3, undefined]);
  assert.throws(() => new BoundedQueue(0), RangeError);
});

test('backoff grows, caps, and jitters within bounds', () => {
  const mid = (): number => 0.5;
  assert.equal(backoffDelayMs(DEFAULT_BACKOFF, 0, mid), 500);
  assert.equal(backoffDelayMs(DEFAULT_BACKOFF, 3, mid), 4000);
  assert.equal(backoffDelayMs(DEFAULT_BACKOFF, 30, mid), 30_000);
  assert.equal(backoffDelayMs(DEFAULT_BACKOFF, 0, () => 1), 600);
  assert.equal(backoffDelayMs(DEFAULT_BACKOFF, 0, () => 0), 400);
});

test('logger filters by level and formats fields', () => {
  const lines: string[] = [];
  const log = createLogger('info', (l) => lines.push(l)).child({ component: 'x' });
  log.debug('hidden');
  log.warn('disk full', { path: '/a b', n: 3 });
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /level=warn msg="disk full" component=x path="\/a b" n=3/);
});

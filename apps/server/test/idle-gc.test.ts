import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverConfigSchema } from '@fathom/config';
import { NOOP_LOGGER } from '@fathom/kit';
import { IdleGcTrigger, MAX_ROUNDS, MIN_RETURNED_BYTES, runIdleGc, v8Gc } from '../src/idle-gc.js';
import type { IdleGcAction } from '../src/idle-gc.js';

const MiB = 1024 * 1024;
const opts = { idleMs: 1000, minGrowthBytes: 32 * MiB };
const busy = 0.5;
const idle = 0.01;

/** Feeds (time, utilization, bytes) samples; returns the first action that is not 'none' with its time. */
function feed(t: IdleGcTrigger, samples: readonly (readonly [number, number, number])[]): [number, IdleGcAction] | undefined {
  for (const [nowMs, utilization, bytes] of samples) {
    const a = t.sample({ nowMs, utilization, bytes: bytes * MiB });
    if (a !== 'none') return [nowMs, a];
  }
  return undefined;
}

test('idle GC: a burst that grew the heap, then idleMs of idle event loop → one major GC, not before', () => {
  const t = new IdleGcTrigger(opts, 50 * MiB);
  const busyBurst: [number, number, number][] = [0, 250, 500, 750, 1000, 1250].map((ms) => [ms, busy, 150]);
  assert.equal(feed(t, busyBurst), undefined, 'never while busy');
  // idle from 1500: the first tick starts the idle period, a GC once it has lasted 1000 ms
  assert.deepEqual(feed(t, [1500, 1750, 2000, 2250, 2500, 2750].map((ms) => [ms, idle, 150])), [2500, 'major']);
});

test('idle GC: no collection when the heap has not grown by minGrowthBytes since its low point', () => {
  const t = new IdleGcTrigger(opts, 50 * MiB);
  assert.equal(feed(t, [0, 500, 1000, 5000, 60_000].map((ms) => [ms, idle, 75])), undefined);
  // V8's own collection brought it down to 40: growth counts from there
  assert.equal(feed(t, [[61_000, busy, 40], [62_000, idle, 70], [64_000, idle, 71]]), undefined);
  assert.deepEqual(feed(t, [[65_000, idle, 73]]), [65_000, 'major']);
});

test('idle GC: a busy tick restarts the idle period', () => {
  const t = new IdleGcTrigger(opts, 0);
  assert.equal(feed(t, [[0, idle, 100], [900, idle, 100], [950, busy, 100], [1500, idle, 100], [2400, idle, 100]]), undefined);
  assert.deepEqual(feed(t, [[2500, idle, 100]]), [2500, 'major']);
});

test('idle GC: further major rounds while each returns enough, at most MAX_ROUNDS', () => {
  const t = new IdleGcTrigger(opts, 0);
  assert.deepEqual(feed(t, [[0, idle, 200], [1000, idle, 200]]), [1000, 'major']);
  t.collected(60 * MiB, 40 * MiB);
  assert.equal(t.sample({ nowMs: 1250, utilization: idle, bytes: 60 * MiB }), 'major', 'it returned 40 MiB: another round');
  t.collected(60 * MiB, MIN_RETURNED_BYTES - 1);
  assert.equal(t.sample({ nowMs: 1500, utilization: idle, bytes: 60 * MiB }), 'none', 'too little returned: stop');
  assert.equal(feed(t, [2000, 20_000, 40_000, 80_000].map((ms) => [ms, idle, 60])), undefined, 'nothing more until the next burst');

  const capped = new IdleGcTrigger(opts, 0);
  let rounds = 0;
  for (let ms = 1000; ms < 5000; ms += 250) {
    if (capped.sample({ nowMs: ms, utilization: idle, bytes: 200 * MiB }) !== 'major') continue;
    rounds++;
    capped.collected(60 * MiB, 16 * MiB);
  }
  assert.equal(rounds, MAX_ROUNDS);
});

test('idle GC: a busy tick stops the rounds; the next idle period needs new growth', () => {
  const t = new IdleGcTrigger(opts, 0);
  assert.deepEqual(feed(t, [[0, idle, 200], [1000, idle, 200]]), [1000, 'major']);
  t.collected(60 * MiB, 16 * MiB);
  assert.equal(t.sample({ nowMs: 1250, utilization: busy, bytes: 61 * MiB }), 'none');
  assert.equal(feed(t, [2000, 3000, 4000].map((ms) => [ms, idle, 70])), undefined);
});

test('idle GC: idleMs 0 turns it off; the default config has it on (server.idleGc.enabled: false turns it off)', () => {
  const t = new IdleGcTrigger({ idleMs: 0, minGrowthBytes: 0 }, 0);
  assert.equal(feed(t, [0, 1000, 10_000].map((ms) => [ms, 0, 500])), undefined);
  const cfg = serverConfigSchema.parse({});
  assert.ok(cfg.idleGc.enabled && cfg.idleGc.afterMs > 0);
  assert.equal(serverConfigSchema.parse({ idleGc: { enabled: false } }).idleGc.enabled, false);
});

test('idle GC: V8 gc is reachable without --expose-gc, and the service stops with its signal', async () => {
  assert.equal(typeof v8Gc(), 'function');
  assert.equal((globalThis as { gc?: unknown }).gc, undefined, 'not leaked into the main context');
  const ac = new AbortController();
  const run = runIdleGc({ idleMs: 100, minGrowthBytes: 0 }, NOOP_LOGGER, ac.signal);
  await new Promise((r) => setTimeout(r, 300));
  ac.abort();
  await run;
});

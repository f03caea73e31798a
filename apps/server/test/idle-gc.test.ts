import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { serverConfigSchema } from '@fathom/config';
import { NOOP_LOGGER } from '@fathom/kit';
import { BURST_UTILIZATION, IdleGcStats, IdleGcTrigger, MAX_ROUNDS, MIN_RETURNED_BYTES, YOUNG_SHRINK_ATTEMPTS, YOUNG_SHRINK_CALM_MS, YOUNG_SHRINK_LATE_MS, runIdleGc, v8Gc } from '../src/idle-gc.js';
import type { IdleGcAction, IdleHeap, IdleSample } from '../src/idle-gc.js';

const MiB = 1024 * 1024;
const opts = { idleMs: 1000, minGrowthBytes: 32 * MiB };
const busy = 0.5;
const idle = 0.01;

/** Heap state in MiB: used (+ external), old-generation slack, JS heap used (default: all of `bytes`), young generation committed. */
const mem = (bytes: number, slack = 0, heapUsed = bytes, young = 1): IdleHeap => ({ bytes: bytes * MiB, slackBytes: slack * MiB, heapUsedBytes: heapUsed * MiB, youngBytes: young * MiB });
const at = (nowMs: number, utilization: number, bytes: number, slack = 0, heapUsed = bytes): IdleSample => ({ nowMs, utilization, ...mem(bytes, slack, heapUsed) });

type Row = readonly [nowMs: number, utilization: number, bytesMiB: number, slackMiB?: number, heapUsedMiB?: number];

/** Feeds (time, utilization, used MiB[, slack MiB[, JS heap MiB]]) samples; returns the first action that is not 'none' with its time. */
function feed(t: IdleGcTrigger, samples: readonly Row[]): [number, IdleGcAction] | undefined {
  for (const [nowMs, utilization, bytes, slack, heapUsed] of samples) {
    const a = t.sample(at(nowMs, utilization, bytes, slack, heapUsed));
    if (a !== 'none') return [nowMs, a];
  }
  return undefined;
}

test('idle GC: a burst that grew the heap, then idleMs of idle event loop → one major GC, not before', () => {
  const t = new IdleGcTrigger(opts, mem(50));
  const busyBurst: [number, number, number][] = [0, 250, 500, 750, 1000, 1250].map((ms) => [ms, busy, 150]);
  assert.equal(feed(t, busyBurst), undefined, 'never while busy');
  // the busy tick at 1250 measured (1000, 1250]: a GC once the last 1000 ms hold no busy tick
  assert.deepEqual(feed(t, [1500, 1750, 2000, 2250, 2500, 2750].map((ms) => [ms, idle, 150])), [2250, 'major']);
});

test('idle GC: no collection when the heap has not grown by minGrowthBytes since its low point', () => {
  const t = new IdleGcTrigger(opts, mem(50));
  assert.equal(feed(t, [0, 500, 1000, 5000, 60_000].map((ms) => [ms, idle, 75])), undefined);
  // V8's own collection brought it down to 40: growth counts from there
  assert.equal(feed(t, [[61_000, busy, 40], [62_000, idle, 70], [64_000, idle, 71]]), undefined);
  assert.deepEqual(feed(t, [[65_000, idle, 73]]), [65_000, 'major']);
});

test('idle GC: V8 collected the garbage itself but kept the pages (old-generation slack) → a major GC too; not again for the slack it could not give back', () => {
  const t = new IdleGcTrigger(opts, mem(50, 5));
  // the burst ended with V8's own major GC: used back to 55 MiB, 90 MiB of old-space pages still committed
  assert.deepEqual(feed(t, [[0, busy, 150, 10], [250, busy, 55, 90], [500, idle, 55, 90], [1500, idle, 55, 90]]), [1500, 'major']);
  t.collected(mem(54, 40), 50 * MiB);
  assert.equal(t.sample(at(1750, idle, 54, 36)), 'major', 'it gave 50 MiB back: another round');
  t.collected(mem(54, 36), 1 * MiB);
  assert.equal(feed(t, [2000, 3000, 10_000].map((ms) => [ms, idle, 54, 36])), undefined, 'the 36 MiB left are not asked for again');
  assert.deepEqual(feed(t, [[11_000, busy, 60, 50], [11_500, idle, 60, 70], [12_500, idle, 60, 70]]), [12_500, 'major'], 'new slack after the next burst');
});

test('idle GC: a busy tick in the last idleMs means not idle', () => {
  const t = new IdleGcTrigger(opts, mem(0));
  assert.equal(feed(t, [[0, idle, 100], [900, idle, 100], [950, busy, 100], [1500, idle, 100], [1900, idle, 100]]), undefined);
  assert.deepEqual(feed(t, [[1950, idle, 100]]), [1950, 'major'], 'the busy tick ended 1000 ms ago');
});

test('idle GC: light periodic work (a poller) still leaves the server idle; steady work above busyUtilization does not', () => {
  const poller = new IdleGcTrigger(opts, mem(0));
  // a 20 ms request once a second: every 4th 250 ms tick at 8 % (over busyUtilization), 2 % on average
  const light = Array.from({ length: 12 }, (_, i): [number, number, number] => [i * 250, i % 4 === 3 ? 0.08 : 0, 200]);
  assert.deepEqual(feed(poller, light), [1000, 'major']);
  const steady = new IdleGcTrigger(opts, mem(0));
  assert.equal(feed(steady, Array.from({ length: 40 }, (_, i): [number, number, number] => [i * 250, 0.1, 200])), undefined);
  const burst = new IdleGcTrigger(opts, mem(0));
  assert.equal(feed(burst, [[0, 0, 200], [750, 0, 200], [875, BURST_UTILIZATION, 200], [1000, 0, 200], [1750, 0, 200]]), undefined, 'a burst tick restarts the period');
  assert.deepEqual(feed(burst, [[2000, 0, 200]]), [2000, 'major']);
});

test('idle GC: further major rounds while each returns enough, at most MAX_ROUNDS', () => {
  const t = new IdleGcTrigger(opts, mem(0));
  assert.deepEqual(feed(t, [[0, idle, 200], [1000, idle, 200]]), [1000, 'major']);
  t.collected(mem(60), 40 * MiB);
  assert.equal(t.sample(at(1250, idle, 60)), 'major', 'it returned 40 MiB: another round');
  t.collected(mem(60), MIN_RETURNED_BYTES - 1);
  assert.equal(t.sample(at(1500, idle, 60)), 'none', 'too little returned: stop');
  assert.equal(feed(t, [2000, 20_000, 40_000, 80_000].map((ms) => [ms, idle, 60])), undefined, 'nothing more without new growth');

  const capped = new IdleGcTrigger(opts, mem(0));
  let rounds = 0;
  for (let ms = 1000; ms < 5000; ms += 250) {
    if (capped.sample(at(ms, idle, rounds === 0 ? 200 : 60)) !== 'major') continue;
    rounds++;
    capped.collected(mem(60), 16 * MiB);
  }
  assert.equal(rounds, MAX_ROUNDS);
  assert.equal(capped.sample(at(5000, idle, 200)), 'major', 'new growth after the capped sequence: a new one');
});

test('idle GC: a busy tick stops the rounds; the next idle period needs new growth', () => {
  const t = new IdleGcTrigger(opts, mem(0));
  assert.deepEqual(feed(t, [[0, idle, 200], [1000, idle, 200]]), [1000, 'major']);
  t.collected(mem(60), 16 * MiB);
  assert.equal(t.sample(at(1250, busy, 61)), 'none');
  assert.equal(feed(t, [2000, 3000, 4000].map((ms) => [ms, idle, 70])), undefined);
});

test('idle GC: idleMs 0 turns it off; the default config has it on (server.idleGc.enabled: false turns it off)', () => {
  const t = new IdleGcTrigger({ idleMs: 0, minGrowthBytes: 0 }, mem(0));
  assert.equal(feed(t, [0, 1000, 10_000].map((ms) => [ms, 0, 500])), undefined);
  const cfg = serverConfigSchema.parse({});
  assert.ok(cfg.idleGc.enabled && cfg.idleGc.afterMs > 0);
  assert.equal(serverConfigSchema.parse({ idleGc: { enabled: false } }).idleGc.enabled, false);
});

test('idle GC: V8 gc is reachable without --expose-gc, and the service stops with its signal', async () => {
  assert.equal(typeof v8Gc(), 'function');
  assert.equal((globalThis as { gc?: unknown }).gc, undefined, 'not leaked into the main context');
  const ac = new AbortController();
  const stats = new IdleGcStats();
  const run = runIdleGc({ idleMs: 100, minGrowthBytes: 0 }, NOOP_LOGGER, ac.signal, stats);
  await new Promise((r) => setTimeout(r, 300));
  ac.abort();
  await run;
  assert.ok(stats.collections >= 1, 'an idle process with no growth floor collects');
  const exported = stats.metrics().points.find((p) => p.labels['__name__'] === 'fathom_server_idle_gc_collections_total');
  assert.equal(exported?.value, stats.collections);
});

test('idle GC: on a big heap the growth must also be growthRatio of what the last collection left', () => {
  const big = { idleMs: 1000, minGrowthBytes: 32 * MiB, growthRatio: 0.5 };
  // 1 GiB live: 100 MiB of garbage is not worth a full pause over 1 GiB, 600 MiB is
  assert.equal(feed(new IdleGcTrigger(big, mem(1024)), [0, 250, 500, 750, 1000, 1250, 1500].map((ms) => [ms, idle, 1124])), undefined);
  assert.deepEqual(feed(new IdleGcTrigger(big, mem(1024)), [0, 250, 500, 750, 1000, 1250, 1500].map((ms) => [ms, idle, 1624])), [1000, 'major']);
  // a small heap: minGrowthBytes decides, as without the ratio
  assert.deepEqual(feed(new IdleGcTrigger(big, mem(40)), [0, 250, 500, 750, 1000, 1250].map((ms) => [ms, idle, 80])), [1000, 'major']);
});

/** `n` ticks 250 ms apart from `fromMs`, all at `utilization` with `bytes` MiB used. */
const ticks = (fromMs: number, n: number, utilization: number, bytes: number): Row[] => Array.from({ length: n }, (_, i): Row => [fromMs + i * 250, utilization, bytes]);
const HOUR_MS = 3_600_000;

test('idle GC: calm is judged over the last idleMs only: an hour of light load neither hides steady work nor delays the GC after it', () => {
  const quiet = new IdleGcTrigger(opts, mem(50));
  assert.equal(feed(quiet, ticks(0, HOUR_MS / 250, 0.01, 50)), undefined, 'an hour at 1 %, no growth');
  assert.equal(feed(quiet, ticks(HOUR_MS, 2400, 0.2, 200)), undefined, 'then 10 minutes of steady 20 % work that allocates: never idle');

  const steady = new IdleGcTrigger(opts, mem(50));
  assert.equal(feed(steady, ticks(0, HOUR_MS / 250, 0.1, 200)), undefined, 'an hour at 10 %');
  // fully idle from HOUR_MS - 250: the window's mean drops under 5 % once 1 of its 4 ticks is at 10 %
  assert.deepEqual(feed(steady, ticks(HOUR_MS, 40, 0, 200)), [HOUR_MS + 500, 'major']);
});

test('idle GC: after a sequence has ended, new growth at light load starts another (no burst needed)', () => {
  const t = new IdleGcTrigger(opts, mem(50));
  assert.deepEqual(feed(t, ticks(0, 8, 0.02, 200)), [1000, 'major']);
  t.collected(mem(60), 1 * MiB); // too little given back: the sequence ends
  assert.equal(feed(t, ticks(1250, 40, 0.02, 80)), undefined, '20 MiB over the floor of 60: not worth one');
  assert.deepEqual(feed(t, [[11_250, 0.02, 960]]), [11_250, 'major'], '900 MiB of new garbage at 2 % load');
});

test('idle GC: growthRatio weighs the JS heap only (ArrayBuffers are not marked); old-generation slack needs minGrowthBytes alone', () => {
  const big = { idleMs: 1000, minGrowthBytes: 32 * MiB, growthRatio: 0.5 };
  const times = [0, 250, 500, 750, 1000, 1250];
  // 2 GiB live, 100 MiB of it JS heap, the rest chunk slabs
  const live = mem(2048, 0, 100);
  assert.deepEqual(feed(new IdleGcTrigger(big, live), times.map((ms): Row => [ms, idle, 2048, 300, 100])), [1000, 'major'], '300 MiB of fragmented old-space pages');
  assert.deepEqual(feed(new IdleGcTrigger(big, live), times.map((ms): Row => [ms, idle, 2148, 0, 150])), [1000, 'major'], '100 MiB of garbage (dead Buffers + JS): ≥ half of the 100 MiB JS heap');
  assert.equal(feed(new IdleGcTrigger(big, live), times.map((ms): Row => [ms, idle, 2088, 0, 140])), undefined, '40 MiB: under half of the JS heap');
});

test('idle GC: a young generation grown beyond YOUNG_SHRINK_BYTES gets minor GCs, one per tick from YOUNG_SHRINK_CALM_MS after the burst until it has shrunk, at most YOUNG_SHRINK_ATTEMPTS per burst, the last late', () => {
  const young = (nowMs: number, utilization: number, youngMiB: number): IdleSample => ({ nowMs, utilization, ...mem(50, 0, 50, youngMiB) });
  const t = new IdleGcTrigger(opts, mem(50));
  assert.equal(t.sample(young(0, busy, 32)), 'none');
  const shrinksAt = (fromMs: number, toMs: number, youngMiB: number): number[] => {
    const out: number[] = [];
    for (let ms = fromMs; ms <= toMs; ms += 250) {
      const a = t.sample(young(ms, idle, youngMiB));
      if (a === 'shrink') out.push(ms);
      else assert.equal(a, 'none');
    }
    return out;
  };
  // V8 keeps it (it still measures the burst's allocation rate): every tick, then the last attempt late
  const kept = shrinksAt(250, 30_000, 32);
  assert.equal(kept.length, YOUNG_SHRINK_ATTEMPTS);
  assert.equal(kept[0], YOUNG_SHRINK_CALM_MS);
  assert.deepEqual(kept.slice(0, -1), Array.from({ length: YOUNG_SHRINK_ATTEMPTS - 1 }, (_, i) => YOUNG_SHRINK_CALM_MS + i * 250), 'one per tick');
  assert.equal(kept.at(-1), YOUNG_SHRINK_LATE_MS, 'the last one late');
  assert.deepEqual(shrinksAt(30_250, 60_000, 32), [], 'no more without a new burst');
  // the next burst: V8 shrinks it at the third attempt, nothing after
  assert.equal(t.sample(young(60_250, busy, 32)), 'none');
  const start = 60_250 + YOUNG_SHRINK_CALM_MS;
  assert.deepEqual(shrinksAt(60_500, start + 500, 32), [start, start + 250, start + 500]);
  assert.deepEqual(shrinksAt(start + 750, start + 20_000, 1), [], 'shrunk: left alone');
  assert.equal(new IdleGcTrigger(opts, mem(50)).sample(young(0, idle, 32)), 'none', 'not before YOUNG_SHRINK_CALM_MS of history');

  const smallYoung = new IdleGcTrigger(opts, mem(50));
  smallYoung.sample(young(0, busy, 2));
  for (let ms = 250; ms <= 20_000; ms += 250) assert.equal(smallYoung.sample(young(ms, idle, 2)), 'none', 'a young generation of 2 MiB is left');
});

test('idle GC: the shrink waits for the major rounds and comes after them; a busy window defers it', () => {
  const t = new IdleGcTrigger(opts, mem(50));
  const s = (nowMs: number, utilization: number, bytes: number, young: number): IdleSample => ({ nowMs, utilization, ...mem(bytes, 0, bytes, young) });
  assert.equal(t.sample(s(0, busy, 200, 32)), 'none');
  const acts: [number, IdleGcAction][] = [];
  let youngMiB = 32;
  for (let ms = 250; ms <= 15_000; ms += 250) {
    // steady 10 % work (no burst tick, but not calm) until 2.5 s
    const a = t.sample(s(ms, ms < 2500 ? 0.1 : idle, acts.length > 0 ? 60 : 200, youngMiB));
    if (a === 'none') continue;
    acts.push([ms, a]);
    if (a === 'major') t.collected(mem(60, 0, 60, 32), acts.length === 1 ? 40 * MiB : 1 * MiB);
    if (a === 'shrink' && acts.length === 4) youngMiB = 1;
  }
  assert.deepEqual(acts, [[3000, 'major'], [3250, 'major'], [3500, 'shrink'], [3750, 'shrink']]);
});

/**
 * Old space fragmented on purpose (every other object dropped: pages half full, which V8's own
 * compaction leaves, as it picks mostly empty pages), in a child process: plain major GCs leave
 * the pages committed; one compacting GC gives them back.
 */
function committedAfterGcs(compact: boolean): { usedMb: number; plainMb: number; afterMb: number } {
  const module = new URL('../src/idle-gc.js', import.meta.url).href;
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    const { majorGc, v8Gc } = await import(${JSON.stringify(module)});
    const gc = v8Gc();
    const old = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
    // promoted in array order (scavenges copy what they reach in order), then every other one dropped
    const keep = Array.from({ length: 2_000_000 }, (_, i) => ({ i, s: 'x' + i }));
    await gc({ type: 'major', execution: 'async' });
    for (let i = 1; i < keep.length; i += 2) keep[i] = undefined;
    for (let k = 0; k < 3; k++) await gc({ type: 'major', execution: 'async' });
    const plain = old().space_size;
    await majorGc(gc, ${String(compact)});
    const o = old();
    process.stdout.write(JSON.stringify({ usedMb: o.space_used_size / 2 ** 20, plainMb: plain / 2 ** 20, afterMb: o.space_size / 2 ** 20, kept: keep.length }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { usedMb: number; plainMb: number; afterMb: number };
}

test('idle GC: a compacting major GC gives back the fragmented old space that plain ones keep', () => {
  const plain = committedAfterGcs(false);
  const compacted = committedAfterGcs(true);
  const show = (r: { usedMb: number; plainMb: number; afterMb: number }): string => `used ${r.usedMb.toFixed(0)} MiB, committed ${r.plainMb.toFixed(0)} → ${r.afterMb.toFixed(0)} MiB`;
  // the premise: plain major GCs leave the fragmented pages committed
  assert.ok(plain.afterMb > plain.usedMb * 1.5, `plain: ${show(plain)}`);
  assert.ok(compacted.afterMb < compacted.usedMb * 1.2 + 2, `compacting: ${show(compacted)}`);
  assert.equal(serverConfigSchema.parse({}).idleGc.compact, true);
});

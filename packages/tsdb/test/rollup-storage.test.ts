import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matcher } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { DEFAULT_TIERS, TsdbStorage } from '../src/index.js';
import { l, opts } from './helpers.js';
import { samplesOf } from '@fathom/storage';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * Two days of a 10 s gauge (i % 6: 0..5 in every minute) and a counter that resets every 1000
 * samples, written as time passes (the clock follows the data; retention runs after every batch).
 */
async function twoDays(s: TsdbStorage, startMs: number, setNow: (ms: number) => void): Promise<void> {
  for (let batch = 0; batch < 2 * 8640; batch += 360) {
    const app = s.appender();
    for (let i = batch; i < Math.min(batch + 360, 2 * 8640); i++) {
      app.append(l('gauge'), startMs + i * 10_000, i % 6);
      app.append(l('requests_total'), startMs + i * 10_000, (i % 1000) * 2);
    }
    setNow(startMs + (batch + 360) * 10_000);
    const r = await app.commit();
    assert.equal(r.rejected, 0, r.errors[0]?.message);
    s.applyRetention();
  }
}

test('rollup tiers: old ranges are answered from the tier with its resolution, the field follows the function, and survive restarts', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const start = 1_000 * DAY;
  let now = start;
  const o = opts(dir.path, { retentionMs: 6 * HOUR, tiers: DEFAULT_TIERS, nowMs: () => now, outOfOrderWindowMs: 0 });
  const s1 = TsdbStorage.open(o);
  await twoDays(s1, start, (ms) => (now = ms));
  const q = await s1.querier(start, now);
  const from = start + 20 * HOUR;
  const hints = { startMs: from, endMs: from + HOUR, stepMs: MIN, rangeMs: 5 * MIN };
  const [max] = await q.select([matcher('__name__', '=', 'gauge')], { ...hints, func: 'max_over_time' });
  assert.equal(max?.resolutionMs, MIN, 'served from the 1m tier');
  assert.ok(samplesOf(max.samples).every((p) => p.value === 5 && p.tMs % MIN === 0));
  const [min] = await q.select([matcher('__name__', '=', 'gauge')], { ...hints, func: 'min_over_time' });
  assert.ok(samplesOf(min!.samples).every((p) => p.value === 0));
  const [c] = await q.select([matcher('__name__', '=', 'requests_total')], { ...hints, func: 'increase' });
  const points = (samplesOf(c!.samples)).filter((p) => p.tMs >= from && p.tMs < from + HOUR);
  const rolled = (points[points.length - 1]?.value ?? 0) - (points[0]?.value ?? 0);
  // raw increase between the last samples of the first and last bucket: 354 steps of +2, resets every 1000 samples
  let raw = 0;
  const first = (from - start) / 10_000 + 5;
  for (let i = first + 1; i <= first + 354; i++) raw += i % 1000 === 0 ? 0 : 2;
  assert.equal(rolled, raw, 'counter increase across a reset is exact');
  const recent = await (await s1.querier(now - HOUR, now)).select([matcher('__name__', '=', 'gauge')], { startMs: now - HOUR, endMs: now, stepMs: 15_000 });
  assert.equal(recent[0]?.resolutionMs, undefined, 'the last hours are raw');
  assert.equal(samplesOf(recent[0]!.samples).length, 360);
  const rawBefore = s1.stats().samples;
  assert.ok(rawBefore <= 2 * (6 * 360 + 240), `raw samples beyond 6h are dropped (${rawBefore} kept)`);
  await s1.close();

  now += 3 * DAY; // the 1m tier (2 d) no longer covers day 1; the 10m tier does
  const s2 = TsdbStorage.open(o);
  const q2 = await s2.querier(start, now);
  const [tenMin] = await q2.select([matcher('__name__', '=', 'gauge')], { startMs: from, endMs: from + HOUR, stepMs: 10 * MIN, func: 'avg_over_time' });
  assert.equal(tenMin?.resolutionMs, 10 * MIN, 'after the checkpoint and 3 more days: the 10m tier');
  assert.ok(tenMin && samplesOf(tenMin.samples).length >= 6);
  for (const p of samplesOf(tenMin.samples)) assert.ok(p.value === 2.5, `avg ${p.value} of a 0..5 sawtooth`);
  assert.equal(s2.stats().series, 0, 'no raw samples left: no active series counted against limits');
  await s2.close();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matcher, STALE_NAN } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import type { TsdbOptions } from '../src/index.js';
import { l, opts } from './helpers.js';
import { samplesOf } from '@fathom/storage';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = 1_000 * DAY;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const bits = (v: number): string => {
  f64[0] = v;
  return `${u32[0]}:${u32[1]}`;
};

type Op = (app: (labels: Labels, tMs: number, v: number) => void) => number | undefined;
const gauge = l('g', { k: 'a' });
const counter = l('c_total', { k: 'a' });
const late = l('g', { k: 'late' });
/** Writes 10 s samples of both series for [fromMin, toMin) minutes after START; returns the new clock. */
const span = (fromMin: number, toMin: number, reset = -1): Op => (app) => {
  for (let t = START + fromMin * MIN; t < START + toMin * MIN; t += 10_000) {
    const i = (t - START) / 10_000;
    app(gauge, t, (i * 37) % 11);
    app(counter, t, reset >= 0 && t >= START + reset * MIN ? i - reset * 6 : i * 3);
  }
  return START + toMin * MIN;
};

/**
 * Steps applied to a storage with the tier cache and one without; after each, every select must
 * agree. `keepsRuns`: the step only moves raw data (head cuts) or rolls the oldest raw block into
 * the tiers, so the cache must extend or trim the runs it holds, not roll them up again.
 */
const STEPS: readonly (readonly [name: string, op: Op, keepsRuns?: boolean])[] = [
  ['in-order appends, 40 min', span(0, 40)],
  ['more appends, extending the open bucket', span(40, 47.5)],
  ['out-of-order samples into an older bucket', (app) => (app(gauge, START + 35 * MIN + 5_000, 99), app(counter, START + 42 * MIN + 5_000, 1e6), undefined)],
  ['out-of-order sample into the newest bucket', (app) => (app(gauge, START + 47 * MIN + 5_000, -3), undefined)],
  ['a stale marker', (app) => (app(gauge, START + 47.5 * MIN, STALE_NAN), undefined)],
  ['a new series', (app) => (app(late, START + 47.5 * MIN + 5_000, 7), undefined)],
  ['appends past head cuts (30 min blocks) with a counter reset', span(47.5 + 1 / 6, 130, 100)],
  ['appends after the cuts', span(130, 133), true],
  ['a head cut while the cache holds every run', span(133, 140), true],
  ['the oldest raw block rolled into the tiers (its end a 10 m but not a 45 m boundary)', span(140, 150), true],
  ['an hour later: raw past retention rolled into tier blocks', span(150, 200)],
];

const SELECTS: readonly (readonly [func: string | undefined, startAgoMs: number])[] = [
  ['max_over_time', 3 * DAY],
  ['min_over_time', 3 * DAY],
  ['sum_over_time', 3 * DAY],
  ['count_over_time', 12 * HOUR],
  ['rate', 36 * HOUR],
  ['sum_over_time', 36 * HOUR],
  ['avg_over_time', 12 * HOUR],
  ['rate', 12 * HOUR],
  [undefined, 12 * HOUR],
];

/** The values of `k@res: t=hi:lo …` rows read back in order, each row's never decreasing. */
function nonDecreasing(rows: readonly string[]): boolean {
  const u = new Uint32Array(2);
  const f = new Float64Array(u.buffer);
  return rows.every((row) => {
    let prev = -Infinity;
    for (const cell of row.split(': ')[1]?.split(' ') ?? []) {
      const [lo, hi] = (cell.split('=')[1] ?? '').split(':').map(Number);
      u[0] = lo ?? 0;
      u[1] = hi ?? 0;
      if ((f[0] ?? 0) < prev) return false;
      prev = f[0] ?? 0;
    }
    return true;
  });
}

test('tier cache: tier selects through the cache equal the rollup from scratch across appends, out-of-order writes, head cuts and retention', async (t) => {
  const dirA = await tempDir();
  const dirB = await tempDir();
  t.after(dirA.cleanup);
  t.after(dirB.cleanup);
  let now = START;
  const base = (dir: string, over: Partial<TsdbOptions>): TsdbOptions =>
    opts(dir, { retentionMs: HOUR, blockRangeMs: 30 * MIN, outOfOrderWindowMs: 2 * HOUR, tiers: [{ resolutionMs: MIN, retentionMs: DAY }, { resolutionMs: 10 * MIN, retentionMs: 2 * DAY }, { resolutionMs: 45 * MIN, retentionMs: 7 * DAY }], nowMs: () => now, fsync: 'never', ...over });
  const dirC = await tempDir();
  t.after(dirC.cleanup);
  const cached = TsdbStorage.open(base(dirA.path, {}));
  const scratch = TsdbStorage.open(base(dirB.path, { tierCacheMaxPoints: 0 }));
  // a bound smaller than one series' run: some runs kept, others rolled up again at every select
  const bounded = TsdbStorage.open(base(dirC.path, { tierCacheMaxPoints: 60 }));
  t.after(() => Promise.all([cached.close(), scratch.close(), bounded.close()]));
  for (const [name, op, keepsRuns] of STEPS) {
    const built = cached.tierCacheStats().builtTotal;
    let nextNow: number | undefined;
    for (const s of [cached, scratch, bounded]) {
      const app = s.appender();
      nextNow = op((labels, tMs, v) => app.append(labels, tMs, v));
      const r = await app.commit();
      assert.equal(r.rejected, 0, `${name}: ${r.errors[0]?.message ?? ''}`);
    }
    if (nextNow !== undefined) now = nextNow;
    for (const s of [cached, scratch, bounded]) s.applyRetention();
    for (const [func, ago] of SELECTS) {
      for (const name2 of ['g', 'c_total']) {
        const hints = { startMs: now - ago, endMs: now, stepMs: MIN, rangeMs: 5 * MIN, ...(func ? { func } : {}) };
        const read = async (s: TsdbStorage): Promise<string[]> => {
          const rows = await (await s.querier(now - ago, now)).select([matcher('__name__', '=', name2)], hints);
          return rows.map((r) => `${r.labels['k'] ?? ''}@${r.resolutionMs ?? 0}: ${samplesOf(r.samples).map((p) => `${p.tMs - START}=${bits(p.value)}`).join(' ')}`).sort();
        };
        const want = await read(scratch);
        assert.ok(want.length > 0 && want.every((r) => !r.includes('@0:')), `${name}: a tier answers ${func ?? 'last'}`);
        assert.deepEqual(await read(cached), want, `${name}: ${name2} ${func ?? 'last'} from ${ago / HOUR} h ago`);
        assert.deepEqual(await read(bounded), want, `${name}: ${name2} ${func ?? 'last'} from ${ago / HOUR} h ago, bounded cache`);
        if (name2 === 'c_total' && func === 'rate') assert.ok(nonDecreasing(want), `${name}: the reset-free counter never goes down (${ago / HOUR} h)`);
      }
    }
    if (keepsRuns) assert.equal(cached.tierCacheStats().builtTotal, built, `${name}: the cached runs were extended, not rolled up again`);
  }
  assert.ok(cached.blockStatus().blocks.some((b) => b.resolutionMs > 0), 'raw blocks were rolled into tier blocks');
});

test('tier counter state: compacting older tier blocks does not take a series back to their end (rollups after it would count increases twice)', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  let now = START;
  const s = TsdbStorage.open(opts(dir.path, { retentionMs: HOUR, blockRangeMs: 30 * MIN, tiers: [{ resolutionMs: MIN, retentionMs: DAY }, { resolutionMs: 10 * MIN, retentionMs: 7 * DAY }], nowMs: () => now, fsync: 'never' }));
  t.after(() => s.close());
  // a counter rising by 3 every 10 s, reset at 100 min (sample 600); retention after each write: the
  // last one rolls two raw blocks up at once, then merges the older tier blocks (state back at 90 min
  // before the fix: the reset after it was taken for an increase from there)
  const valueAt = (i: number): number => (i < 600 ? i : i - 600) * 3;
  for (const [fromMin, toMin] of [[0, 130], [130, 133], [133, 200]] as const) {
    const app = s.appender();
    for (let tMs = START + fromMin * MIN; tMs < START + toMin * MIN; tMs += 10_000) app.append(counter, tMs, valueAt((tMs - START) / 10_000));
    await app.commit();
    now = START + toMin * MIN;
    s.applyRetention();
  }
  assert.ok(s.blockStatus().blocks.some((b) => b.resolutionMs > 0 && b.level > 1), 'tier blocks were compacted');
  const rows = await (await s.querier(now - 12 * HOUR, now)).select([matcher('__name__', '=', 'c_total')], { startMs: now - 12 * HOUR, endMs: now, stepMs: MIN, rangeMs: 5 * MIN, func: 'rate' });
  const got = rows[0] ? [...rows[0].samples.values] : [];
  // the reset-free counter at each minute's last sample: 3 per sample since the first, none at the reset
  const want = (i: number): number => (i < 600 ? 3 * i : 3 * 599 + valueAt(i));
  assert.equal(got.length, 200);
  assert.deepEqual(got, got.map((_, m) => want(m * 6 + 5)));
});

test('tier cache: an out-of-order write to a series that then stops is rolled in after a cut moves the series out of the head', async (t) => {
  let now = START;
  const open = async (tierCacheMaxPoints: number): Promise<TsdbStorage> => {
    const dir = await tempDir();
    t.after(dir.cleanup);
    const s = TsdbStorage.open(opts(dir.path, { retentionMs: 10 * HOUR, blockRangeMs: 30 * MIN, outOfOrderWindowMs: 2 * HOUR, tiers: [{ resolutionMs: MIN, retentionMs: DAY }], nowMs: () => now, fsync: 'never', tierCacheMaxPoints }));
    t.after(() => s.close());
    return s;
  };
  const cached = await open(1_000_000);
  const scratch = await open(0);
  const stops = l('g', { k: 'stops' });
  const goesOn = l('g', { k: 'goes-on' });
  const write = async (rows: readonly (readonly [Labels, number, number])[]): Promise<void> => {
    for (const s of [cached, scratch]) {
      const app = s.appender();
      for (const [labels, tMs, v] of rows) app.append(labels, tMs, v);
      const r = await app.commit();
      assert.equal(r.rejected, 0, r.errors[0]?.message);
    }
  };
  const ones = (labels: Labels, fromMin: number, toMin: number): [Labels, number, number][] => {
    const rows: [Labels, number, number][] = [];
    for (let tMs = START + fromMin * MIN; tMs < START + toMin * MIN; tMs += 10_000) rows.push([labels, tMs, 1]);
    return rows;
  };
  const read = async (s: TsdbStorage): Promise<string[]> => {
    const hints = { startMs: now - 12 * HOUR, endMs: now, stepMs: MIN, rangeMs: 5 * MIN, func: 'sum_over_time' };
    const rows = await (await s.querier(now - 12 * HOUR, now)).select([matcher('__name__', '=', 'g')], hints);
    return rows.map((r) => `${r.labels['k'] ?? ''}@${r.resolutionMs ?? 0}: ${samplesOf(r.samples).map((p) => `${p.tMs - START}=${bits(p.value)}`).join(' ')}`).sort();
  };
  await write([...ones(stops, 0, 40), ...ones(goesOn, 0, 40)]);
  now = START + 40 * MIN;
  assert.deepEqual(await read(cached), await read(scratch), 'the runs are built');
  // a late sample to `stops`, its last write; no select until cuts have moved all of it to blocks
  await write([[stops, START + 35 * MIN + 5_000, 1000]]);
  await write(ones(goesOn, 40, 130));
  now = START + 130 * MIN;
  for (const s of [cached, scratch]) s.applyRetention();
  const want = await read(scratch);
  assert.ok(want.some((r) => r.startsWith('stops@60000:')), 'the stopped series is still answered from its blocks');
  assert.deepEqual(await read(cached), want);
});

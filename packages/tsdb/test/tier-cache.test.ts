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

/** Steps applied to a storage with the tier cache and one without; after each, every select must agree. */
const STEPS: readonly (readonly [name: string, op: Op])[] = [
  ['in-order appends, 40 min', span(0, 40)],
  ['more appends, extending the open bucket', span(40, 47.5)],
  ['out-of-order samples into an older bucket', (app) => (app(gauge, START + 35 * MIN + 5_000, 99), app(counter, START + 42 * MIN + 5_000, 1e6), undefined)],
  ['out-of-order sample into the newest bucket', (app) => (app(gauge, START + 47 * MIN + 5_000, -3), undefined)],
  ['a stale marker', (app) => (app(gauge, START + 47.5 * MIN, STALE_NAN), undefined)],
  ['a new series', (app) => (app(late, START + 47.5 * MIN + 5_000, 7), undefined)],
  ['appends past head cuts (30 min blocks) with a counter reset', span(47.5 + 1 / 6, 130, 100)],
  ['appends after the cuts', span(130, 133)],
  ['an hour later: raw past retention rolled into tier blocks', span(133, 200)],
];

const SELECTS: readonly (readonly [func: string | undefined, startAgoMs: number])[] = [
  ['max_over_time', 3 * DAY],
  ['min_over_time', 3 * DAY],
  ['sum_over_time', 3 * DAY],
  ['count_over_time', 12 * HOUR],
  ['avg_over_time', 12 * HOUR],
  ['rate', 12 * HOUR],
  [undefined, 12 * HOUR],
];

test('tier cache: tier selects through the cache equal the rollup from scratch across appends, out-of-order writes, head cuts and retention', async (t) => {
  const dirA = await tempDir();
  const dirB = await tempDir();
  t.after(dirA.cleanup);
  t.after(dirB.cleanup);
  let now = START;
  const base = (dir: string, over: Partial<TsdbOptions>): TsdbOptions =>
    opts(dir, { retentionMs: HOUR, blockRangeMs: 30 * MIN, outOfOrderWindowMs: 2 * HOUR, tiers: [{ resolutionMs: MIN, retentionMs: DAY }, { resolutionMs: 10 * MIN, retentionMs: 7 * DAY }], nowMs: () => now, fsync: 'never', ...over });
  const dirC = await tempDir();
  t.after(dirC.cleanup);
  const cached = TsdbStorage.open(base(dirA.path, {}));
  const scratch = TsdbStorage.open(base(dirB.path, { tierCacheMaxPoints: 0 }));
  // a bound smaller than one series' run: some runs kept, others rolled up again at every select
  const bounded = TsdbStorage.open(base(dirC.path, { tierCacheMaxPoints: 60 }));
  t.after(() => Promise.all([cached.close(), scratch.close(), bounded.close()]));
  for (const [name, op] of STEPS) {
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
      }
    }
  }
  assert.ok(cached.blockStatus().blocks.some((b) => b.resolutionMs > 0), 'raw blocks were rolled into tier blocks');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STALE_NAN } from '@fathom/model';
import type { Sample } from '@fathom/model';
import { tempDir } from '@fathom/testkit';
import { TsdbStorage } from '../src/index.js';
import { l, opts, write } from './helpers.js';
import { ColumnsBuilder, samplesOf } from '@fathom/storage';
import { GridThinner } from '../src/read-grid.js';

/** What an instant selector reads at tMs: the latest sample at or before it within lookback, stale markers as nothing. */
function readAt(samples: readonly Sample[], tMs: number, lookbackMs: number): string {
  let p: Sample | undefined;
  for (const s of samples) if (s.tMs <= tMs) p = s;
  if (!p || p.tMs <= tMs - lookbackMs) return 'none';
  return Number.isNaN(p.value) && Object.is(p.value, STALE_NAN) ? 'stale' : `${p.tMs}=${p.value}`;
}

/** Irregular samples of series k: gaps, bursts, stale markers, scrape jitter. */
function seriesSamples(k: number): [number, number][] {
  const out: [number, number][] = [];
  let t = 1_000 + k * 1_300;
  for (let i = 0; i < 400; i++) {
    t += i % 50 === 17 ? 400_000 : i % 9 === 0 ? 1_000 : 10_000 + ((i * 7919 + k) % 3_000);
    out.push([t, i % 61 === 30 ? STALE_NAN : k * 1000 + i]);
  }
  return out;
}

const SELECTS: readonly (readonly [name: string, startMs: number, endMs: number, stepMs: number])[] = [
  ['1 m steps over everything', 0, 5_000_000, 60_000],
  ['15 s steps, unaligned', 123_457, 2_000_000, 15_000],
  ['step shorter than the scrape', 500_000, 900_000, 3_000],
  ['steps past the last sample', 4_000_000, 9_000_000, 600_000],
  ['one step (instant query)', 2_345_678, 2_345_678, 0],
  ['steps before the first sample', -100_000, 0, 10_000],
];

// The thinned selection (readAtSteps) reads, at every step and for any lookback, what the full one reads.
for (const blockRangeMs of [undefined, 600_000]) {
  test(`read grid: readAtSteps reads what all samples read (${blockRangeMs ? 'blocks + head' : 'head'})`, async (t) => {
    const dir = await tempDir();
    t.after(dir.cleanup);
    const s = TsdbStorage.open(opts(dir.path, blockRangeMs ? { blockRangeMs } : {}));
    t.after(() => s.close());
    const all = [0, 1, 2].flatMap((k) => seriesSamples(k).map(([tMs, v]) => [l('g', { k: String(k) }), tMs, v] as const)).sort((a, b) => a[1] - b[1]);
    for (let i = 0; i < all.length; i += 50) await write(s, all.slice(i, i + 50));
    if (blockRangeMs) assert.ok(s.blockStatus().blocks.length > 0, 'some samples are in blocks');
    const m = [{ name: '__name__', type: '=' as const, value: 'g', matches: (v: string) => v === 'g' }];
    for (const [name, startMs, endMs, stepMs] of SELECTS) {
      for (const lookbackMs of [300_000, 30_000]) {
        const q = await s.querier(startMs - lookbackMs, endMs);
        const full = await q.select(m);
        const thin = await q.select(m, { startMs, endMs, stepMs, readAtSteps: true });
        const byK = new Map(thin.map((x) => [x.labels['k'], samplesOf(x.samples)]));
        let fewer = 0;
        for (const f of full) {
          const th = byK.get(f.labels['k']) ?? [];
          fewer += samplesOf(f.samples).length - th.length;
          for (let tMs = startMs; tMs <= endMs; tMs += stepMs || 1) {
            assert.equal(readAt(th, tMs, lookbackMs), readAt(samplesOf(f.samples), tMs, lookbackMs), `${name}, k=${f.labels['k']}, t=${tMs}, lookback ${lookbackMs}`);
            if (stepMs === 0) break;
          }
        }
        if (name !== 'step shorter than the scrape') assert.ok(fewer > 0 || full.length === 0, `${name}: fewer samples read`);
      }
    }
  });
}

test('without a grid the thinner keeps every sample, in order (every read decodes into one sink class)', () => {
  const out = new ColumnsBuilder(8);
  const sink = new GridThinner(undefined, out);
  const pts = seriesSamples(2).slice(0, 40);
  for (const [t, v] of pts) sink.push(t, v);
  const got = sink.finish();
  assert.deepEqual(Array.from(got.tMs), pts.map(([t]) => t));
  assert.deepEqual(Array.from(got.values).map(String), pts.map(([, v]) => String(v)));
});

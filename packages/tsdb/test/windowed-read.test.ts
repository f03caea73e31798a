import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf, matcher, STALE_NAN } from '@fathom/model';
import { BatchState, Head, XorEncoder, XorIterator } from '../src/index.js';
import { samplesOf } from '@fathom/storage';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** A value's bits as text (NaN payloads compared exactly). */
const bits = (v: number): string => {
  f64[0] = v;
  return `${u32[0]}:${u32[1]}`;
};
const STEP = 10_000;
/** Sample i of the test series: t = i × 10 s; a stale marker at 119, 120 and 300; values vary. */
const valueOf = (i: number): number => (i === 119 || i === 120 || i === 300 ? STALE_NAN : i % 7 === 0 ? i : i * 1.5);

/** 500 in-order samples (4 sealed chunks of 120 + an open chunk of 20), plus out-of-order ones at odd 5 s offsets. */
function build(ooo: readonly number[]): { head: Head; all: { tMs: number; value: number }[] } {
  const head = new Head({ maxSeries: 10, maxSeriesPerMetric: 10, outOfOrderWindowMs: 1e12 });
  const labels = labelsOf({ __name__: 'w' });
  const all: { tMs: number; value: number }[] = [];
  const put = (tMs: number, value: number): void => {
    assert.equal(head.checkOne(labels, tMs, value, new BatchState())?.message, undefined);
    head.apply(labels, tMs, value);
    all.push({ tMs, value });
  };
  for (let i = 0; i < 500; i++) put(i * STEP, valueOf(i));
  for (const tMs of ooo) put(tMs, -tMs);
  all.sort((a, b) => a.tMs - b.tMs);
  return { head, all };
}

const chunkMin = (c: number): number => c * 120 * STEP;
const chunkMax = (c: number): number => (c * 120 + 119) * STEP;
const WINDOWS: readonly (readonly [name: string, minMs: number, maxMs: number])[] = [
  ['everything', -Infinity, Infinity],
  ['before the first sample', -50_000, -1],
  ['after the last sample', 500 * STEP, 600 * STEP],
  ['exactly one chunk', chunkMin(1), chunkMax(1)],
  ['one chunk end to the next start', chunkMax(1), chunkMin(2)],
  ['the gap between two chunks', chunkMax(1) + 1, chunkMin(2) - 1],
  ['a single sample at a chunk start', chunkMin(3), chunkMin(3)],
  ['a single sample at a chunk end', chunkMax(0), chunkMax(0)],
  ['between two samples inside a chunk', 55 * STEP + 1, 56 * STEP - 1],
  ['inside a chunk, both bounds on samples', 10 * STEP, 30 * STEP],
  ['across three sealed chunks', 100 * STEP, 370 * STEP],
  ['the last sealed chunk and the open one', chunkMin(3) + 5 * STEP, 495 * STEP],
  ['the open chunk only', 485 * STEP, 490 * STEP],
  ['the open chunk start', 480 * STEP, 480 * STEP],
  ['the last 5 minutes', 499 * STEP - 300_000, 499 * STEP],
  ['an inverted window', 300 * STEP, 200 * STEP],
];
const OOO_CASES: readonly (readonly [name: string, times: readonly number[]])[] = [
  ['in order only', []],
  ['out-of-order samples between chunks and inside the open one', [chunkMax(1) + 5_000, 5_000, 485 * STEP + 5_000, chunkMin(3) - 5_000]],
];

test('head reads: only the chunks overlapping the window, each up to maxMs, equal the brute-force filter (a table of windows)', () => {
  for (const [oooName, ooo] of OOO_CASES) {
    const { head, all } = build(ooo);
    for (const [name, minMs, maxMs] of WINDOWS) {
      const want = all.filter((p) => p.tMs >= minMs && p.tMs <= maxMs).map((p) => `${p.tMs}=${bits(p.value)}`);
      const [sel] = head.select([matcher('__name__', '=', 'w')], minMs, maxMs);
      const got = (sel ? samplesOf(sel.samples) : []).map((p) => `${p.tMs}=${bits(p.value)}`);
      assert.deepEqual(got, want, `${oooName}: ${name}`);
    }
  }
});

test('head reads: valueAt finds each stored time (chunk starts and ends, open chunk, out of order) and nothing between', () => {
  const ooo = OOO_CASES[1]?.[1] ?? [];
  const { head, all } = build(ooo);
  const s = head.byKey(head.allSeries()[0]?.key ?? '');
  assert.ok(s);
  for (const p of all) assert.equal(bits(s.valueAt(p.tMs) ?? 0), bits(p.value), `at ${p.tMs}`);
  for (const tMs of [-1, chunkMax(0) + 1, chunkMin(2) - 1, 485 * STEP + 1, 500 * STEP]) assert.equal(s.valueAt(tMs), undefined, `at ${tMs}`);
});

/** Appends made after a read of the open chunk started, by count: none, one (same last byte), a few, enough to grow the buffer. */
const APPENDS_DURING_READ = [0, 1, 5, 2_000] as const;

test('open chunk read in place: a read started before appends sees exactly the samples of its snapshot (ordering, not timing)', () => {
  for (const appends of APPENDS_DURING_READ) {
    for (const readBefore of [0, 1, 17, 50]) {
      const enc = new XorEncoder();
      for (let i = 0; i < 50; i++) enc.append(i * STEP, valueOf(i));
      const it = new XorIterator();
      it.resetStream(enc.streamBuffer, 0, enc.streamBitLength, enc.count);
      const got: string[] = [];
      for (let k = 0; k < readBefore && it.next(); k++) got.push(`${it.tMs}=${bits(it.value)}`);
      for (let i = 50; i < 50 + appends; i++) enc.append(i * STEP, i % 3 === 0 ? STALE_NAN : Math.sqrt(i));
      while (it.next()) got.push(`${it.tMs}=${bits(it.value)}`);
      const want = Array.from({ length: 50 }, (_, i) => `${i * STEP}=${bits(valueOf(i))}`);
      assert.deepEqual(got, want, `${appends} appends after ${readBefore} samples read`);
    }
  }
});

test('head reads: a read does not see appends made after it, and a later read sees them (open chunk sealed in between)', () => {
  const head = new Head({ maxSeries: 10, maxSeriesPerMetric: 10, outOfOrderWindowMs: 0 });
  const labels = labelsOf({ __name__: 'r' });
  for (let i = 0; i < 110; i++) head.apply(labels, i * STEP, i);
  const before = samplesOf(head.select([matcher('__name__', '=', 'r')], 0, Infinity)[0]!.samples);
  for (let i = 110; i < 130; i++) head.apply(labels, i * STEP, i);
  assert.equal(before.length, 110);
  const after = samplesOf(head.select([matcher('__name__', '=', 'r')], 0, Infinity)[0]!.samples);
  assert.deepEqual(after.map((p) => p.value), Array.from({ length: 130 }, (_, i) => i));
});

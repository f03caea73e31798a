/**
 * Reads across the head and the blocks. Raw: per label set, the blocks' parts then the head's,
 * in time order. A rollup tier: the tier's blocks, then the raw data still held (raw blocks and
 * head) rolled up on the fly from the counter state where the tier's history ends, so a tier
 * answers for every range, including the hours whose raw data has not aged out yet.
 */
import { labelsKey } from '@fathom/model';
import type { Labels, Matcher, Millis } from '@fathom/model';
import { ColumnsBuilder } from '@fathom/storage';
import type { SampleColumns, SeriesData } from '@fathom/storage';
import { decodeChunksInto, decodeSamples } from './block/block-store.js';
import type { BlockStore, SeriesParts } from './block/block-store.js';
import type { BlockChunk } from './block/block-index.js';
import type { MemSeries } from './head/mem-series.js';
import type { Head } from './head/head.js';
import { appendPoints, rollUp, serveField } from './rollup/rollup-points.js';
import type { TierPlan } from './rollup/tiers.js';
import type { RawRollupCache } from './rollup/raw-rollup-cache.js';
import { GridThinner, maxKept } from './read-grid.js';
import type { ReadGrid } from './read-grid.js';
import { rolledRawCached } from './tier-raw.js';
import type { TierEntry } from './tier-raw.js';

export function selectMerged(head: Head, blocks: BlockStore, matchers: readonly Matcher[], minMs: Millis, maxMs: Millis, plan: TierPlan, cache?: RawRollupCache, grid?: ReadGrid): SeriesData[] {
  const tier = plan.tier;
  if (!tier) return selectRaw(head, blocks, matchers, minMs, maxMs, grid);
  const res = tier.resolutionMs;
  const tiers = new Map<string, TierEntry>();
  blocks.selectTier(res, matchers, minMs, maxMs, tiers);
  const rawFromMs = Math.min(blocks.rawMinTMs, head.minTMs);
  if (Number.isFinite(rawFromMs) && maxMs >= Math.floor(rawFromMs / res) * res) {
    if (cache?.enabled && blocks.rawDisjoint) rolledRawCached(head, blocks, matchers, minMs, res, cache, tiers);
    else {
      for (const [key, e] of rawParts(head, blocks, matchers, -Infinity, Infinity)) {
        const { points } = rollUp(concatParts(e.parts), res, blocks.stateOf(key));
        let t = tiers.get(key);
        if (!t) tiers.set(key, (t = { labels: e.labels, points: [] }));
        appendPoints(t.points, points);
      }
    }
  }
  const out: SeriesData[] = [];
  for (const e of tiers.values()) {
    // a series only the cache answers: its field served straight from the run (no point objects)
    const samples = e.run && e.points.length === 0 ? e.run.serve(plan.field, minMs, maxMs) : serveField(e.points, plan.field, minMs, maxMs);
    if (samples.tMs.length > 0) out.push({ labels: e.labels, samples, resolutionMs: res });
  }
  return out;
}

/**
 * Raw samples per series; when no block holds any, straight from the head (no merge by key). A
 * series' block parts and head part are decoded one after another into one set of columns (sized
 * by their chunks' counts, from the block indexes before anything is read), through one grid
 * thinner when there is a grid (read-grid.ts). Block chunks are decoded as they are read, so a
 * select holds one read's chunks, not every block's: those were most of what a young-generation
 * collection during a select had to keep (and promoted, ~2.4 MB a 640-series 6 h select).
 */
function selectRaw(head: Head, blocks: BlockStore, matchers: readonly Matcher[], minMs: number, maxMs: number, grid?: ReadGrid): SeriesData[] {
  const planned = new Map<string, Planned>();
  const reads = blocks.planRaw(matchers, minMs, maxMs, (key, labels, p) => {
    let e = planned.get(key);
    if (!e) planned.set(key, (e = { labels: labels(), count: 0, lastTMs: -Infinity, ordered: true }));
    e.ordered &&= p.ordered && p.minTMs > e.lastTMs;
    e.lastTMs = p.maxTMs;
    e.count += p.count;
  });
  const inHead = new Map<string, MemSeries>();
  for (const s of head.matching(matchers)) inHead.set(s.key, s);
  for (const [key, e] of planned) {
    const s = inHead.get(key);
    if (e.ordered && (s === undefined || (!s.hasOutOfOrder && s.minTMs > e.lastTMs))) {
      const most = e.count + (s ? s.inOrderCountIn(minMs, maxMs) : 0);
      const out = new ColumnsBuilder(grid ? Math.min(most, maxKept(grid)) : most);
      e.sink = new GridThinner(grid, out);
    } else e.parts = []; // parts that overlap (only damage makes them): decoded apart, then merged
  }
  blocks.readRaw(reads, (key, chunks) => {
    const e = planned.get(key)!;
    if (e.sink) decodeChunksInto(chunks, minMs, maxMs, e.sink);
    else e.parts?.push(chunks);
  });
  const out: SeriesData[] = [];
  for (const [key, e] of planned) {
    const s = inHead.get(key);
    inHead.delete(key);
    let samples: SampleColumns;
    if (e.sink) {
      s?.pushInOrder(minMs, maxMs, e.sink);
      samples = e.sink.finish();
    } else samples = readApart(e.parts ?? [], s, minMs, maxMs, grid);
    if (samples.tMs.length > 0) out.push({ labels: e.labels, samples });
  }
  for (const s of inHead.values()) {
    const samples = s.samples(minMs, maxMs, grid);
    if (samples.tMs.length > 0) out.push({ labels: s.labels, samples });
  }
  return out;
}

/** A series of a raw select, planned from the block indexes: its parts' sample count and order, then where they go. */
interface Planned {
  readonly labels: Labels;
  count: number;
  /** The end of its last block part so far. */
  lastTMs: number;
  ordered: boolean;
  sink?: GridThinner;
  parts?: (readonly BlockChunk[])[];
}

/** The fallback for parts that overlap: each decoded apart, then merged (the first seen winning). */
function readApart(parts: readonly (readonly BlockChunk[])[], s: MemSeries | undefined, minMs: number, maxMs: number, grid?: ReadGrid): SampleColumns {
  const decoded = parts.map((p) => decodeSamples(p, minMs, maxMs, grid));
  if (s) decoded.push(s.samples(minMs, maxMs, grid));
  return concatParts(decoded);
}

function rawParts(head: Head, blocks: BlockStore, matchers: readonly Matcher[], minMs: number, maxMs: number): Map<string, SeriesParts<SampleColumns>> {
  const parts = new Map<string, SeriesParts<SampleColumns>>();
  blocks.selectRaw(matchers, minMs, maxMs, parts);
  return headParts(head, matchers, minMs, maxMs, parts);
}

function headParts(head: Head, matchers: readonly Matcher[], minMs: number, maxMs: number, parts: Map<string, SeriesParts<SampleColumns>>): Map<string, SeriesParts<SampleColumns>> {
  for (const s of head.matching(matchers)) {
    const samples = s.samples(minMs, maxMs);
    if (samples.tMs.length === 0) continue;
    const e = parts.get(s.key);
    if (e) e.parts.push(samples);
    else parts.set(s.key ?? labelsKey(s.labels), { labels: s.labels, parts: [samples] });
  }
  return parts;
}

/**
 * Parts in time order as one run of columns; overlapping parts (never expected) are merged, the
 * first seen winning a shared timestamp. One part is returned as is.
 */
export function concatParts(parts: readonly SampleColumns[]): SampleColumns {
  if (parts.length === 1) return parts[0]!;
  const sorted = parts.filter((p) => p.tMs.length > 0).sort((a, b) => a.tMs[0]! - b.tMs[0]!);
  let total = 0;
  for (const p of sorted) total += p.tMs.length;
  let out = new ColumnsBuilder(total);
  for (const p of sorted) {
    if (p.tMs[0]! > out.lastTMs) out.pushRange(p, 0, p.tMs.length);
    else out = mergeInto(out.finish(), p, total);
  }
  return out.finish();
}

/** `a` and `b` merged by time (a's sample kept on a shared timestamp), into a builder for more. */
function mergeInto(a: SampleColumns, b: SampleColumns, capacity: number): ColumnsBuilder {
  const out = new ColumnsBuilder(capacity);
  const na = a.tMs.length;
  const nb = b.tMs.length;
  let i = 0;
  let j = 0;
  while (i < na || j < nb) {
    const aT = i < na ? a.tMs[i]! : Infinity;
    const bT = j < nb ? b.tMs[j]! : Infinity;
    if (i < na && aT <= bT) {
      out.push(aT, a.values[i]!);
      if (aT === bT) j++;
      i++;
    } else {
      out.push(bT, b.values[j]!);
      j++;
    }
  }
  return out;
}

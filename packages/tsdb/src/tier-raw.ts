/**
 * The raw data still held (raw blocks, then the head) rolled up to one tier through the cache of
 * runs (rollup/raw-rollup-cache.ts). The chunks are streamed into the runs as they are read (a
 * block's in reads of ≤ 4 MiB) and decoded: no sample objects, no merged copy of a series'
 * parts, and a held run takes only the samples newer than it holds, wherever they are now (after
 * a head cut, in the newest block).
 *
 * Exact: raw blocks are disjoint and older than the head (the caller checks the blocks), so
 * feeding blocks in time order and then the head is the same sample sequence, into the same
 * accumulator from the same counter state, as `rollUp` over the concatenated parts from scratch.
 */
import type { Labels, Matcher } from '@fathom/model';
import type { BlockChunk } from './block/block-index.js';
import type { BlockStore } from './block/block-store.js';
import { XorIterator } from './chunk/xor-chunk.js';
import type { Head } from './head/head.js';
import type { MemSeries } from './head/mem-series.js';
import type { RolledPoint } from './rollup/accumulator.js';
import { RolledRun } from './rollup/raw-rollup-cache.js';
import type { RawRollupCache } from './rollup/raw-rollup-cache.js';
import { appendPoints } from './rollup/rollup-points.js';

/** A series' tier points (from tier blocks and rolled-up raw), or a cached run that alone answers. */
export interface TierEntry {
  readonly labels: Labels;
  readonly points: RolledPoint[];
  readonly run?: RolledRun;
}

/** A run this select uses: held by the cache (extended) or new (rolled up from the start). */
interface RunUse {
  readonly run: RolledRun;
  readonly fresh: boolean;
  /** Closed points before this select (what it adds counts against the cache's bound). */
  readonly pointsBefore: number;
}

/** One iterator for every streamed chunk: selects are synchronous and do not nest. */
const IT = new XorIterator();

/**
 * Rolls the raw data of the matching series up to `res` through `cache`; points from `minMs` on
 * join the tier blocks' points in `into` (same merge as from scratch: older points never change
 * what is served from `minMs`).
 */
export function rolledRawCached(head: Head, blocks: BlockStore, matchers: readonly Matcher[], minMs: number, res: number, cache: RawRollupCache, into: Map<string, TierEntry>): void {
  cache.sync(`${head.rawEpoch}/${blocks.rawGeneration}`, blocks.rawRolledToMs);
  const inHead = new Map<string, MemSeries>();
  for (const s of head.matching(matchers)) inHead.set(s.key, s);
  const runs = new Map<string, RunUse>();
  const runOf = (key: string, labels: () => Labels): RunUse => {
    let u = runs.get(key);
    if (u) return u;
    // a series that took an out-of-order sample since its run was built: rolled up again
    const epoch = inHead.get(key)?.oooEpoch ?? 0;
    const held = cache.get(res, key);
    const run = held && held.epoch === epoch ? held : new RolledRun(labels(), res, blocks.stateOf(key), epoch);
    runs.set(key, (u = { run, fresh: run !== held, pointsBefore: run.pointCount }));
    return u;
  };
  blocks.forRawChunks(matchers, (key, labels) => runOf(key, labels).run.lastSeenTMs + 1, (key, chunks) => feedChunks(runs.get(key)?.run, chunks));
  for (const s of inHead.values()) feedHead(runOf(s.key, () => s.labels).run, s);
  for (const [key, u] of runs) {
    if (u.fresh) {
      cache.builtTotal++;
      cache.set(res, key, u.run);
    } else cache.grew(u.run.pointCount - u.pointsBefore);
    const run = u.run;
    if (run.lastSeenTMs === -Infinity) continue;
    const t = into.get(key);
    if (!t) into.set(key, { labels: run.labels, points: [], run });
    else appendPoints(t.points, run.pointsFrom(minMs));
  }
}

function feedChunks(run: RolledRun | undefined, chunks: readonly BlockChunk[]): void {
  if (!run) return;
  for (const c of chunks) {
    if (c.maxTMs <= run.lastSeenTMs) continue;
    IT.resetChunk(c.bytes, 0, c.bytes.length);
    run.addFrom(IT);
  }
}

/** The head samples newer than the run holds: sealed chunks then the open one, read in place. */
function feedHead(run: RolledRun, s: MemSeries): void {
  if (s.ooo && s.ooo.length > 0) {
    run.add(s.samples(run.lastSeenTMs + 1, Infinity)); // merged with the out-of-order buffer
    return;
  }
  for (let i = 0; i < s.chunkCount; i++) {
    const c = s.chunk(i);
    if (c.maxTMs <= run.lastSeenTMs) continue;
    IT.resetChunk(c.bytes, 0, c.bytes.length);
    run.addFrom(IT);
  }
  const open = s.open;
  if (open && open.count > 0 && open.maxTMs > run.lastSeenTMs) {
    IT.resetStream(open.streamBuffer, 0, open.streamBitLength, open.count);
    run.addFrom(IT);
  }
}

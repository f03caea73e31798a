/**
 * Rollup points found in checkpoints written when the head kept the tiers (before blocks): moved
 * into one tier block per resolution at open, so an upgrade loses no rolled-up history. Only the
 * buckets that end before the raw data still held (`beforeMs`) are moved, the rest being rolled up
 * again from raw; the counter chain restarts at that seam (rate may see one reset there, once).
 */
import type { LegacyTiers } from '../wal/checkpoint.js';
import { chunkPoints, pointsToChunks } from '../rollup/rollup-points.js';
import type { RolledPoint } from '../rollup/accumulator.js';
import type { BlockSeriesIn } from './block-index.js';
import type { BlockStore } from './block-store.js';

export function legacyTierBlocks(blocks: BlockStore, legacy: readonly LegacyTiers[], beforeMs: number): void {
  const byRes = new Map<number, BlockSeriesIn[]>();
  const bounds = new Map<number, [number, number]>();
  for (const { labels, tiers } of legacy) {
    for (const t of tiers) {
      const points: RolledPoint[] = [];
      for (const c of t.chunks) points.push(...chunkPoints(c.bytes));
      const buffered = t.bufferedBundle();
      if (buffered) points.push(...chunkPoints(buffered));
      const open = t.acc.open;
      if (open) points.push({ ...open });
      const kept = points.filter((p) => p.tMs + t.resolutionMs <= beforeMs);
      if (kept.length === 0) continue;
      const list = byRes.get(t.resolutionMs) ?? [];
      list.push({ labels, chunks: pointsToChunks(kept) });
      byRes.set(t.resolutionMs, list);
      const b = bounds.get(t.resolutionMs) ?? [Infinity, -Infinity];
      bounds.set(t.resolutionMs, [Math.min(b[0], kept[0]?.tMs ?? Infinity), Math.max(b[1], (kept[kept.length - 1]?.tMs ?? 0) + 1)]);
    }
  }
  for (const [res, series] of byRes) {
    const [minT, maxT] = bounds.get(res) ?? [0, 1];
    blocks.addTier(res, series, minT, maxT);
  }
}

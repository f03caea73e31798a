/**
 * Pure maintenance planner for blocks: retention (whole blocks), rolling raw blocks that aged past
 * the raw retention up into the tiers, and compaction of adjacent blocks of one tier into bigger
 * aligned ranges (levels: the block range × 3, × 9, …, capped per tier). No I/O, no clock.
 */
import type { Tier } from '../rollup/tiers.js';

export interface PlanMeta {
  readonly id: string;
  readonly minTMs: number;
  readonly maxTMs: number;
  readonly resolutionMs: number;
  readonly level: number;
}

export interface PlanConfig {
  readonly blockRangeMs: number;
  readonly rawRetentionMs: number;
  readonly tiers: readonly Tier[];
}

export type Action =
  | { readonly kind: 'drop'; readonly id: string; readonly reason: string }
  | { readonly kind: 'rollup'; readonly id: string }
  | { readonly kind: 'merge'; readonly ids: readonly string[]; readonly minTMs: number; readonly maxTMs: number; readonly resolutionMs: number; readonly level: number };

/** The largest compaction range of a tier: block range × 3^k within a quarter of its retention (raw: half). */
export function maxRangeMs(cfg: PlanConfig, resolutionMs: number): number {
  const retention = resolutionMs === 0 ? cfg.rawRetentionMs / 2 : (cfg.tiers.find((t) => t.resolutionMs === resolutionMs)?.retentionMs ?? 0) / 4;
  let r = cfg.blockRangeMs;
  while (r * 3 <= retention) r *= 3;
  return r;
}

function retentionOf(cfg: PlanConfig, resolutionMs: number): number {
  if (resolutionMs === 0) return cfg.rawRetentionMs;
  return cfg.tiers.find((t) => t.resolutionMs === resolutionMs)?.retentionMs ?? Math.max(cfg.rawRetentionMs, ...cfg.tiers.map((t) => t.retentionMs));
}

/** What to do now, in order: retention and rollups first, then at most one merge per tier. */
export function planMaintenance(blocks: readonly PlanMeta[], nowMs: number, cfg: PlanConfig): Action[] {
  const out: Action[] = [];
  const kept: PlanMeta[] = [];
  for (const b of blocks) {
    if (b.maxTMs > nowMs - retentionOf(cfg, b.resolutionMs)) kept.push(b);
    else if (b.resolutionMs === 0 && cfg.tiers.length > 0) out.push({ kind: 'rollup', id: b.id });
    else out.push({ kind: 'drop', id: b.id, reason: 'past retention' });
  }
  const byRes = new Map<number, PlanMeta[]>();
  for (const b of kept) byRes.set(b.resolutionMs, [...(byRes.get(b.resolutionMs) ?? []), b]);
  for (const [res, group] of byRes) {
    const merge = planMerge(group, maxRangeMs(cfg, res), cfg.blockRangeMs);
    if (merge) out.push({ kind: 'merge', resolutionMs: res, ...merge });
  }
  return out;
}

/** The first aligned window (smallest range first) holding ≥ 2 blocks, all inside it and complete. */
function planMerge(group: readonly PlanMeta[], maxRange: number, blockRangeMs: number): { ids: string[]; minTMs: number; maxTMs: number; level: number } | undefined {
  const newestMaxT = Math.max(...group.map((b) => b.maxTMs));
  let level = 2;
  for (let range = blockRangeMs * 3; range <= maxRange; range *= 3, level++) {
    const windows = new Map<number, PlanMeta[]>();
    for (const b of group) {
      const start = Math.floor(b.minTMs / range) * range;
      if (b.maxTMs > start + range) continue; // spans windows: already bigger than this range
      windows.set(start, [...(windows.get(start) ?? []), b]);
    }
    for (const [start, members] of [...windows].sort((a, b) => a[0] - b[0])) {
      if (members.length < 2 || start + range > newestMaxT) continue;
      return { ids: members.sort((a, b) => a.minTMs - b.minTMs).map((b) => b.id), minTMs: start, maxTMs: start + range, level };
    }
  }
  return undefined;
}

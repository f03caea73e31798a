/**
 * Rollup tiers and the pure planner that picks one for a selection (no I/O, no clock: `nowMs` is
 * passed in). The raw tier answers while it still holds the whole range; otherwise the finest
 * rollup tier whose retention covers the range does, else the coarsest one (most history).
 */
import type { SelectHints } from '@fathom/storage';

export interface Tier {
  /** Bucket width. */
  readonly resolutionMs: number;
  /** How long the tier's points are kept. */
  readonly retentionMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** After Sysdig: raw 10 s for 6 h (the server's `retentionMs`), then these. */
export const DEFAULT_TIERS: readonly Tier[] = [
  { resolutionMs: MINUTE, retentionMs: 2 * DAY },
  { resolutionMs: 10 * MINUTE, retentionMs: 14 * DAY },
  { resolutionMs: HOUR, retentionMs: 90 * DAY },
  { resolutionMs: DAY, retentionMs: 365 * DAY },
];

/** Prometheus' default lookback: an instant selector looks this far back for a sample. */
export const LOOKBACK_MS = 5 * MINUTE;

/** Which rolled-up field answers a selection. `counter` is the reset-free cumulative increase. */
export type RollupField = 'min' | 'max' | 'sum' | 'count' | 'last' | 'counter' | 'avg';

const FIELD_OF_FUNC: Readonly<Record<string, RollupField>> = {
  max_over_time: 'max',
  min_over_time: 'min',
  sum_over_time: 'sum',
  count_over_time: 'count',
  avg_over_time: 'avg',
  last_over_time: 'last',
  rate: 'counter',
  increase: 'counter',
  irate: 'counter',
  resets: 'counter',
};

export function fieldFor(func: string | undefined): RollupField {
  return (func && FIELD_OF_FUNC[func]) || 'last';
}

export interface TierPlan {
  /** The tier that answers, or undefined for raw samples. */
  readonly tier: Tier | undefined;
  readonly field: RollupField;
}

export function planSelect(hints: SelectHints | undefined, nowMs: number, rawRetentionMs: number, tiers: readonly Tier[]): TierPlan {
  const field = fieldFor(hints?.func);
  if (!hints || tiers.length === 0) return { tier: undefined, field };
  const needFromMs = hints.startMs - (hints.rangeMs ?? LOOKBACK_MS);
  if (needFromMs >= nowMs - rawRetentionMs) return { tier: undefined, field };
  const sorted = [...tiers].sort((a, b) => a.resolutionMs - b.resolutionMs);
  const covering = sorted.find((t) => needFromMs >= nowMs - t.retentionMs);
  return { tier: covering ?? sorted[sorted.length - 1], field };
}

/** Validates a tier list: increasing resolutions, each keeping data longer than the previous. */
export function checkTiers(tiers: readonly Tier[], rawRetentionMs: number): string | undefined {
  let prev: Tier = { resolutionMs: 0, retentionMs: rawRetentionMs };
  for (const t of tiers) {
    if (!(t.resolutionMs > prev.resolutionMs)) return `tier resolutions must increase: ${t.resolutionMs} ms after ${prev.resolutionMs} ms`;
    if (!(t.retentionMs >= prev.retentionMs)) return `tier retention must not shrink: the ${t.resolutionMs} ms tier keeps ${t.retentionMs} ms, less than ${prev.retentionMs} ms before it`;
    prev = t;
  }
  return undefined;
}

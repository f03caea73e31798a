/**
 * Time ranges: relative ("last 1h", follows now; live mode refreshes it) or absolute (a fixed
 * window, e.g. after a drag-zoom or for a shared link), and the query step for a chart. Pure.
 */

export type TimeRange =
  | { readonly kind: 'relative'; readonly durationMs: number }
  | { readonly kind: 'absolute'; readonly startMs: number; readonly endMs: number };

export const PRESETS_MS: readonly number[] = [15 * 60_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 24 * 3_600_000];

export interface Window {
  readonly startMs: number;
  readonly endMs: number;
}

export function resolve(r: TimeRange, nowMs: number): Window {
  return r.kind === 'relative' ? { startMs: nowMs - r.durationMs, endMs: nowMs } : { startMs: r.startMs, endMs: r.endMs };
}

const NICE_STEPS_MS = [10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000];

/** A round step giving at most about `maxPoints` points over the window. */
export function stepFor(w: Window, maxPoints = 300): number {
  const raw = (w.endMs - w.startMs) / maxPoints;
  return NICE_STEPS_MS.find((s) => s >= raw) ?? Math.ceil(raw / 3_600_000) * 3_600_000;
}

/** The rate() window for a step: four steps, at least a minute, so sparse samples still give a rate. */
export function rateWindowMs(stepMs: number): number {
  return Math.max(60_000, 4 * stepMs);
}

/** The window twice as long around the same centre (the "zoom out" button). */
export function zoomOut(w: Window, nowMs: number): TimeRange {
  const len = w.endMs - w.startMs;
  const endMs = Math.min(nowMs, w.endMs + len / 2);
  return { kind: 'absolute', startMs: endMs - 2 * len, endMs };
}

/** `1h`, `15m`, `1d` for a duration. */
export function shortDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** Parses `15m`, `1h`, `2d`, `30s`; undefined when it is not one. */
export function parseShortDuration(text: string): number | undefined {
  const m = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!m) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  const ms = Number(m[1]) * unit;
  return ms > 0 ? ms : undefined;
}

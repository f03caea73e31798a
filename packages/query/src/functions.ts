/**
 * The functions the engine evaluates, as pure code over samples. Range functions see the samples
 * of one series inside the window (t - range, t] (left-open, as in Prometheus 3).
 */
import type { Sample } from '@fathom/model';

export type ArgType = 'scalar' | 'vector' | 'matrix';

export interface Window {
  readonly samples: readonly Sample[];
  /** Window start and end in ms: samples lie in (startMs, endMs]. */
  readonly startMs: number;
  readonly endMs: number;
}

export type FunctionDef =
  | { readonly kind: 'range'; readonly argTypes: readonly ArgType[]; readonly fn: (w: Window) => number | undefined }
  | { readonly kind: 'math'; readonly argTypes: readonly ArgType[]; readonly fn: (v: number) => number }
  | { readonly kind: 'special'; readonly argTypes: readonly ArgType[] };

const range = (fn: (w: Window) => number | undefined): FunctionDef => ({ kind: 'range', argTypes: ['matrix'], fn });
const math = (fn: (v: number) => number): FunctionDef => ({ kind: 'math', argTypes: ['vector'], fn });

export const FUNCTIONS: Readonly<Record<string, FunctionDef>> = {
  rate: range((w) => extrapolatedRate(w, true, true)),
  increase: range((w) => extrapolatedRate(w, true, false)),
  delta: range((w) => extrapolatedRate(w, false, false)),
  irate: range((w) => instantRate(w)),
  avg_over_time: range((w) => (w.samples.length ? sumOf(w.samples) / w.samples.length : undefined)),
  sum_over_time: range((w) => (w.samples.length ? sumOf(w.samples) : undefined)),
  count_over_time: range((w) => (w.samples.length ? w.samples.length : undefined)),
  min_over_time: range((w) => (w.samples.length ? extreme(w.samples, (a, b) => b < a) : undefined)),
  max_over_time: range((w) => (w.samples.length ? extreme(w.samples, (a, b) => b > a) : undefined)),
  last_over_time: range((w) => w.samples[w.samples.length - 1]?.value),
  abs: math(Math.abs),
  ceil: math(Math.ceil),
  floor: math(Math.floor),
  sqrt: math(Math.sqrt),
  exp: math(Math.exp),
  ln: math(Math.log),
  log2: math(Math.log2),
  log10: math(Math.log10),
  time: { kind: 'special', argTypes: [] },
  vector: { kind: 'special', argTypes: ['scalar'] },
  scalar: { kind: 'special', argTypes: ['vector'] },
};

function sumOf(samples: readonly Sample[]): number {
  let s = 0;
  for (const p of samples) s += p.value;
  return s;
}

function extreme(samples: readonly Sample[], better: (cur: number, cand: number) => boolean): number {
  let best = samples[0]?.value ?? NaN;
  for (const p of samples) if (Number.isNaN(best) || better(best, p.value)) best = p.value;
  return best;
}

/**
 * rate/increase/delta with Prometheus' extrapolation: the increase between the first and last
 * sample (counter resets added back), extrapolated towards the window edges by at most half an
 * average sample interval, and never below zero for counters.
 */
export function extrapolatedRate(w: Window, isCounter: boolean, isRate: boolean): number | undefined {
  const s = w.samples;
  const first = s[0];
  const last = s[s.length - 1];
  if (!first || !last || s.length < 2) return undefined;
  let result = last.value - first.value;
  if (isCounter) {
    for (let i = 1; i < s.length; i++) {
      const prev = s[i - 1]?.value ?? 0;
      const cur = s[i]?.value ?? 0;
      if (cur < prev) result += prev;
    }
  }
  const sampledInterval = (last.tMs - first.tMs) / 1000;
  const averageInterval = sampledInterval / (s.length - 1);
  let durationToStart = (first.tMs - w.startMs) / 1000;
  const durationToEnd = (w.endMs - last.tMs) / 1000;
  if (isCounter && result > 0 && first.value >= 0) {
    const durationToZero = sampledInterval * (first.value / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageInterval * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2;
  let factor = extrapolateTo / sampledInterval;
  if (isRate) factor /= (w.endMs - w.startMs) / 1000;
  return result * factor;
}

/** irate: per-second rate between the last two samples (a reset counts from zero). */
export function instantRate(w: Window): number | undefined {
  const s = w.samples;
  const last = s[s.length - 1];
  const prev = s[s.length - 2];
  if (!last || !prev) return undefined;
  const dv = last.value < prev.value ? last.value : last.value - prev.value;
  const dt = (last.tMs - prev.tMs) / 1000;
  return dt === 0 ? undefined : dv / dt;
}

/** Step values turned into query results: a range query's matrix, an instant query's vector. */
import { labelsOf } from '@fathom/model';
import type { Labels } from '@fathom/model';
import { ColumnsBuilder } from '@fathom/storage';
import type { SampleColumns } from '@fathom/storage';
import { keyOf } from './memo.js';
import type { StepGrid, StepSeries, StepValue, StepVector } from './step-value.js';
import { orderAt, presentRange } from './step-value.js';
import type { VectorSample } from './value.js';

/** The steps of the per-step loop `for (t = start; t <= end; t += step)` (one step when step is 0). */
export function stepGrid(startMs: number, endMs: number, stepMs: number): StepGrid {
  const times: number[] = [];
  if (stepMs <= 0) times.push(startMs);
  else for (let t = startMs; t <= endMs; t += stepMs) times.push(t);
  return { times: Float64Array.from(times), count: times.length };
}

/** One series per label set, samples in step order; `checkpoint` counts the samples produced. */
export function matrixSeries(v: StepValue, grid: StepGrid, checkpoint: (samples: number) => void): { labels: Labels; samples: SampleColumns }[] {
  const steps = grid.count;
  if (v.type === 'scalar') {
    checkpoint(steps);
    return [{ labels: labelsOf({}), samples: { tMs: grid.times.slice(0, steps), values: v.values.slice(0, steps) } }];
  }
  const byKey = new Map<string, number[]>();
  v.series.forEach((s, i) => {
    const key = keyOf(s.labels);
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  });
  const out: { labels: Labels; samples: SampleColumns }[] = [];
  for (const members of byKey.values()) {
    let samples: SampleColumns;
    if (members.length === 1) samples = presentSteps(v.series[members[0]!]!, grid);
    else {
      // one label set from several series (binary operators do not check): per step, in evaluation order
      const sub: StepVector = { type: 'vector', series: members.map((i) => v.series[i]!), ...(v.ranks ? { ranks: members.map((i) => v.ranks![i]!) } : {}) };
      const b = new ColumnsBuilder(steps);
      for (let t = 0; t < steps; t++) for (const i of orderAt(sub, t)) b.push(grid.times[t]!, sub.series[i]!.values[t]!);
      samples = b.finish();
    }
    checkpoint(samples.tMs.length);
    if (samples.tMs.length > 0) out.push({ labels: v.series[members[0]!]!.labels, samples });
  }
  return out;
}

/** A series' values at the steps where it is present, as columns sized exactly. */
function presentSteps(s: StepSeries, grid: StepGrid): SampleColumns {
  const [from, to] = presentRange(s, grid.count);
  let n = 0;
  for (let t = from; t < to; t++) n += s.present[t]!;
  const tMs = new Float64Array(n);
  const values = new Float64Array(n);
  for (let t = from, k = 0; t < to; t++) {
    if (s.present[t] === 0) continue;
    tMs[k] = grid.times[t]!;
    values[k++] = s.values[t]!;
  }
  return { tMs, values };
}

/** The vector at the first step, in the per-step evaluator's order. */
export function instantSamples(v: StepVector): VectorSample[] {
  return orderAt(v, 0).map((i) => ({ labels: v.series[i]!.labels, value: v.series[i]!.values[0]! }));
}

import assert from 'node:assert/strict';
import { labelsOf } from '@fathom/model';
import type { Labels } from '@fathom/model';
import type { TsdbStorage } from '../src/index.js';
import type { TsdbOptions } from '../src/index.js';
import { samplesOf } from '@fathom/storage';

export const l = (name: string, extra: Record<string, string> = {}): Labels => labelsOf({ __name__: name, ...extra });

export function opts(dataDir: string, over: Partial<TsdbOptions> = {}): TsdbOptions {
  return { dataDir, fsync: 'always', retentionMs: 1e15, maxSeries: 1e6, maxSeriesPerMetric: 1e6, outOfOrderWindowMs: 600_000, ...over };
}

export async function write(s: TsdbStorage, samples: readonly (readonly [Labels, number, number])[]): Promise<void> {
  const app = s.appender();
  for (const [labels, t, v] of samples) app.append(labels, t, v);
  const r = await app.commit();
  assert.equal(r.rejected, 0, r.errors.map((e) => e.message).join('; '));
}

/** `series × count` samples at 10 s from t=10 s, value = series*1000 + i. */
export function grid(series: number, count: number, from = 1): [Labels, number, number][] {
  const out: [Labels, number, number][] = [];
  for (let i = from; i < from + count; i++) for (let k = 0; k < series; k++) out.push([l('g', { k: String(k) }), i * 10_000, k * 1000 + i]);
  return out;
}

export async function values(s: TsdbStorage, name = 'g'): Promise<Map<string, number[]>> {
  const q = await s.querier(0, 1e15);
  const out = new Map<string, number[]>();
  for (const x of await q.select([{ name: '__name__', type: '=', value: name, matches: (v) => v === name }])) out.set(x.labels['k'] ?? '', samplesOf(x.samples).map((p) => p.value));
  return out;
}

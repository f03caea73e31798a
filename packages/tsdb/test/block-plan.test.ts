import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planMaintenance } from '../src/index.js';
import type { Action, PlanConfig, PlanMeta } from '../src/index.js';

const H = 3_600_000;
const cfg: PlanConfig = { blockRangeMs: 2 * H, rawRetentionMs: 24 * H, tiers: [{ resolutionMs: 60_000, retentionMs: 48 * H }] };
const raw = (id: string, fromH: number, toH: number, level = 1): PlanMeta => ({ id, minTMs: fromH * H, maxTMs: toH * H, resolutionMs: 0, level });
const tier = (id: string, fromH: number, toH: number): PlanMeta => ({ id, minTMs: fromH * H, maxTMs: toH * H, resolutionMs: 60_000, level: 1 });

const CASES: readonly { name: string; blocks: PlanMeta[]; nowH: number; want: Action[] }[] = [
  { name: 'nothing to do', blocks: [raw('a', 0, 2)], nowH: 3, want: [] },
  { name: 'three 2 h blocks in a 6 h window, newer data beyond it: merged to level 2', blocks: [raw('a', 0, 2), raw('b', 2, 4), raw('c', 4, 6), raw('d', 6, 8)], nowH: 9, want: [{ kind: 'merge', ids: ['a', 'b', 'c'], minTMs: 0, maxTMs: 6 * H, resolutionMs: 0, level: 2 }] },
  { name: 'a window not complete yet (no newer block) is left alone', blocks: [raw('a', 0, 2), raw('b', 2, 4)], nowH: 5, want: [] },
  { name: 'raw block past raw retention: rolled up', blocks: [raw('a', 0, 2), raw('b', 30, 32)], nowH: 27, want: [{ kind: 'rollup', id: 'a' }] },
  { name: 'tier block past its retention: dropped', blocks: [tier('t', 0, 2)], nowH: 51, want: [{ kind: 'drop', id: 't', reason: 'past retention' }] },
  { name: 'raw compaction is capped at half the raw retention (12 h → 6 h windows)', blocks: [raw('a', 0, 6, 2), raw('b', 6, 12, 2), raw('c', 12, 18, 2), raw('d', 18, 20)], nowH: 21, want: [] },
];

for (const c of CASES) {
  test(`block plan: ${c.name}`, () => {
    assert.deepEqual(planMaintenance(c.blocks, c.nowH * H, cfg), c.want);
  });
}

test('block plan: without tiers, raw blocks past retention are dropped', () => {
  assert.deepEqual(planMaintenance([raw('a', 0, 2)], 27 * H, { ...cfg, tiers: [] }), [{ kind: 'drop', id: 'a', reason: 'past retention' }]);
});

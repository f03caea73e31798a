/**
 * The step evaluator (step-eval.ts) against the per-step reference evaluator (evaluator.ts): on a
 * table of queries over data with churn, counter resets, staleness markers, NaN, gaps, label sets
 * that collide once the name is dropped, histogram buckets and a rollup tier, both must give the
 * same result to the bit (or the same error), as range queries at several steps and as instant
 * queries at several times.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf, matchesAll, STALE_NAN } from '@fathom/model';
import type { Matcher } from '@fathom/model';
import { columnsOf, samplesOf } from '@fathom/storage';
import type { Querier, Queryable, SeriesData } from '@fathom/storage';
import { QueryEngine } from '../src/index.js';

const MIN = 60_000;
const END = 120 * MIN;

function series(labels: Record<string, string>, value: (i: number) => number | undefined, everyMs = 15_000, resolutionMs?: number): SeriesData {
  const samples: { tMs: number; value: number }[] = [];
  for (let i = 0, t = 0; t <= END; i++, t += everyMs) {
    const v = value(i);
    if (v !== undefined) samples.push({ tMs: t, value: v });
  }
  return resolutionMs === undefined ? { labels: labelsOf(labels), samples: columnsOf(samples) } : { labels: labelsOf(labels), samples: columnsOf(samples), resolutionMs };
}

const DATA: SeriesData[] = [];
for (let p = 0; p < 6; p++) {
  const pod = { namespace: `ns-${p % 3}`, pod: `pod-${p}`, node: `node-${p % 2}` };
  const alive = (i: number): boolean => (p === 4 ? i > 200 : p === 5 ? i < 150 || i > 300 : true);
  DATA.push(series({ __name__: 'cpu_total', ...pod }, (i) => (!alive(i) ? undefined : p === 2 && i % 97 === 0 ? 0 : (i % 97) * (p + 1) + 0.1 * p)));
  DATA.push(series({ __name__: 'mem_bytes', ...pod }, (i) => (!alive(i) ? undefined : i === 100 + p ? STALE_NAN : p === 3 && i % 50 === 7 ? NaN : 1000 + ((i * 37 + p * 11) % 101))));
  DATA.push(series({ __name__: 'restarts_total', ...pod }, (i) => (alive(i) ? Math.floor(i / (40 + p)) % 7 : undefined), 30_000));
  for (const le of ['0.1', '0.5', '1', '+Inf']) DATA.push(series({ __name__: 'lat_bucket', ...pod, le }, (i) => i * Number(le === '+Inf' ? 4 : le) * (p + 1)));
}
// buckets: one bound written twice ("1" and "1.0"), one unparsable, a group without +Inf
DATA.push(series({ __name__: 'lat_bucket', namespace: 'ns-0', pod: 'pod-0', node: 'node-0', le: '1.0' }, (i) => i * 0.7));
DATA.push(series({ __name__: 'lat_bucket', namespace: 'ns-1', pod: 'pod-1', node: 'node-1', le: 'x' }, (i) => i));
DATA.push(series({ __name__: 'lat_bucket', namespace: 'ns-9', pod: 'pod-9', node: 'node-1', le: '0.5' }, (i) => (i % 3 === 0 ? undefined : i)));
// the same labels as mem_bytes once the name is dropped
DATA.push(series({ __name__: 'mem_twin', namespace: 'ns-0', pod: 'pod-0', node: 'node-0' }, (i) => (i > 350 ? i : undefined)));
DATA.push(series({ __name__: 'limit_bytes', namespace: 'ns-0', pod: 'pod-0' }, () => 2048));
DATA.push(series({ __name__: 'limit_bytes', namespace: 'ns-1', pod: 'pod-1' }, () => 4096));
DATA.push(series({ __name__: 'node_info', node: 'node-0', zone: 'a' }, () => 1));
DATA.push(series({ __name__: 'node_info', node: 'node-1', zone: 'b' }, (i) => (i < 250 ? 1 : undefined)));
DATA.push(series({ __name__: 'node_info', node: 'node-1', zone: 'c' }, (i) => (i > 240 ? 1 : undefined)));
DATA.push(series({ __name__: 'tier_total', pod: 'a' }, (i) => i * 600, 10 * MIN, 10 * MIN));

class Store implements Queryable {
  querier(minMs: number, maxMs: number): Promise<Querier> {
    return Promise.resolve({
      select: (matchers: readonly Matcher[]) =>
        Promise.resolve(DATA.filter((s) => matchesAll(s.labels, matchers)).map((s) => ({ ...s, samples: columnsOf(samplesOf(s.samples).filter((p) => p.tMs >= minMs && p.tMs <= maxMs)) })).filter((s) => s.samples.tMs.length > 0)),
      labelNames: () => Promise.resolve([]),
      labelValues: () => Promise.resolve([]),
    });
  }
}

const QUERIES = [
  'cpu_total', 'mem_bytes', 'mem_bytes offset 7m', 'mem_bytes @ 3600', 'cpu_total @ end()', '-mem_bytes', '+cpu_total', '42', '-(1 + 2)', 'time()',
  'rate(cpu_total[5m])', 'increase(cpu_total[1h])', 'delta(mem_bytes[10m])', 'irate(cpu_total[2m])', 'idelta(mem_bytes[3m])', 'rate(cpu_total[5m] offset 10m)',
  'rate(cpu_total[1m] @ 3000)', 'increase(restarts_total[30m])', 'rate(restarts_total[1m])', 'resets(restarts_total[1h])', 'changes(mem_bytes[30m])',
  'sum_over_time(mem_bytes[10m])', 'avg_over_time(mem_bytes[10m])', 'min_over_time(mem_bytes[10m])', 'max_over_time(mem_bytes[10m])', 'count_over_time(mem_bytes[10m])',
  'last_over_time(mem_bytes[10m])', 'present_over_time(mem_bytes[10m])', 'stddev_over_time(mem_bytes[10m])', 'quantile_over_time(0.9, mem_bytes[10m])',
  'deriv(mem_bytes[10m])', 'predict_linear(mem_bytes[15m], 3600)', 'holt_winters(mem_bytes[10m], 0.5, 0.5)', 'holt_winters(mem_bytes[10m], 2, 0.5)',
  'rate(tier_total[5m])', 'increase(tier_total[30m])', 'tier_total', 'sum_over_time({__name__=~"mem_bytes|mem_twin"}[10m])', 'rate({__name__=~"cpu_total|restarts_total"}[5m])',
  'sum(cpu_total)', 'sum by (namespace) (rate(cpu_total[5m]))', 'avg by (node) (mem_bytes)', 'min by (namespace) (mem_bytes)', 'max without (pod) (mem_bytes)',
  // NaN first in its group (pod-3 before pod-5 on node-1), then a number: the number wins
  'max by (node) (mem_bytes{pod=~"pod-[35]"})', 'min by (node) (mem_bytes{pod=~"pod-[35]"})', 'max by (node) (-mem_bytes)',
  'count by (node) (mem_bytes)', 'group by (namespace) (mem_bytes)', 'stddev by (node) (mem_bytes)', 'stdvar(mem_bytes)', 'quantile by (node) (0.75, mem_bytes)',
  'topk(2, mem_bytes)', 'bottomk by (node) (1, mem_bytes)', 'topk(3, sum by (pod) (rate(cpu_total[5m])))', 'topk(2, sum by (node) (sum by (pod, node) (mem_bytes)))',
  'sum(sum by (namespace, pod) (mem_bytes))', 'avg(max by (node, namespace) (mem_bytes))', 'topk(scalar(count(node_info)), mem_bytes)', 'topk(0, mem_bytes)',
  'count_values("v", restarts_total)', 'limitk(2, mem_bytes)', 'quantile(0.5, rate(cpu_total[5m]))', 'sum({__name__=~"mem_bytes|mem_twin"})',
  'mem_bytes > 1050', 'mem_bytes > bool 1050', '2 * mem_bytes', 'mem_bytes / 1024', '1 - mem_bytes / 2000', 'mem_bytes % 7 ^ 1.5', 'mem_bytes atan2 3',
  'mem_bytes / on(namespace, pod) limit_bytes', 'sum by (namespace, pod) (mem_bytes) / on(namespace, pod) sum by (namespace, pod) (limit_bytes)',
  'mem_bytes * on(node) group_left(zone) node_info', 'node_info * on(node) group_right(zone) mem_bytes', 'count by (node) (mem_bytes) * on(node) group_left() node_info',
  'mem_bytes > on(namespace, pod) limit_bytes', 'mem_bytes == bool on(namespace, pod, node) mem_bytes', 'mem_bytes + ignoring(pod) mem_bytes', 'mem_bytes / ignoring(le) cpu_total',
  '{__name__=~"mem_bytes|mem_twin"} + 1', 'mem_bytes and on(pod) cpu_total > 50', 'mem_bytes unless cpu_total', 'mem_bytes or restarts_total',
  'histogram_quantile(0.9, sum by (namespace, le) (rate(lat_bucket[5m])))', 'histogram_quantile(0.5, rate(lat_bucket[5m]))', 'abs(-mem_bytes)', 'clamp(mem_bytes, 1010, 1050)',
  'round(rate(cpu_total[5m]), 0.01)', 'timestamp(mem_bytes)', 'sort_desc(sum by (namespace) (mem_bytes))', 'scalar(sum(mem_bytes)) * 2', 'vector(1) + sum(mem_bytes)',
  'label_replace(mem_bytes, "p", "$1", "pod", "pod-(.*)")', 'absent(nothing)', 'absent_over_time(mem_bytes[5m])', 'max_over_time(rate(cpu_total[1m])[10m:30s])',
  'sum by (namespace) (rate(cpu_total[5m])) / ignoring(namespace) group_left sum(rate(cpu_total[5m]))', 'sum(rate(cpu_total[5m])) > 1 < 1000',
  // per-step nodes over step-evaluated operands
  'label_replace(sum by (pod) (mem_bytes), "p", "$1", "pod", "pod-(.*)")', 'abs(-sum by (pod) (rate(cpu_total[5m])))', 'timestamp(sum(mem_bytes))',
  '(mem_bytes > 1050) or on(pod) cpu_total', 'sum by (pod) (rate(cpu_total[5m])) and on(pod) (mem_bytes > 1000)', 'absent(sum(nothing))',
  'count_values("x", sum by (pod) (restarts_total))', 'max_over_time(sum(rate(cpu_total[1m]))[10m:1m])', 'sort(topk(2, sum by (node, pod) (mem_bytes)))',
  'histogram_quantile(0.9, sum by (node, le) (rate(lat_bucket[5m]))) or sum by (node) (rate(cpu_total[5m]))', 'clamp_max(sum by (node) (mem_bytes), scalar(count(mem_bytes)) * 300)',
  // subqueries
  'avg_over_time(sum by (namespace) (mem_bytes)[15m:1m] offset 5m)', 'min_over_time(mem_bytes[5m:])', 'rate(sum(cpu_total)[5m:30s])',
  'count_over_time(mem_bytes[7m:45s] @ 3600)', 'max_over_time(avg_over_time(mem_bytes[5m:1m])[20m:5m])', 'last_over_time(topk(2, mem_bytes)[10m:1m])',
  'sum_over_time(vector(time())[5m:1m])', 'quantile_over_time(0.5, mem_bytes[10m:2m])', 'deriv(mem_bytes[10m:1m])', 'increase(restarts_total[30m:2m])',
  'sum_over_time({__name__=~"mem_bytes|mem_twin"}[10m:1m])', 'sum_over_time(({__name__=~"mem_bytes|mem_twin"} + 1)[10m:1m])', 'topk(3, max_over_time(mem_bytes[10m:1m]))',
  // narrowed to the steps near the data (narrow.ts): operands that fail where there is none, errors that need no data
  'mem_twin and topk(scalar(mem_twin), mem_twin)', 'mem_twin + on() (limit_bytes offset 1d)', 'label_replace(nothing, "foo-bar", "$1", "a", "(.*)")',
  'label_replace(mem_twin, "d", "", "s", "(")', 'count_values("bad-label", nothing)', 'topk(NaN, mem_twin)', 'sum by (pod) (rate(mem_twin[5m])) > 1',
  'histogram_quantile(0.75, lat_bucket)', 'histogram_quantile(scalar(count(node_info)) / 4, sum by (node, le) (rate(lat_bucket[5m])))', 'histogram_quantile(1.5, rate(lat_bucket[5m]))',
];

const fast = new QueryEngine(new Store());
const reference = new QueryEngine(new Store(), { perStepOnly: true });

async function outcome(run: (e: QueryEngine) => Promise<unknown>, e: QueryEngine): Promise<unknown> {
  try {
    return await run(e);
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const RANGES: [number, number, number][] = [
  [30 * MIN, END, 15_000],
  [0, END, 60_000],
  [7 * MIN + 500, 100 * MIN, 7 * MIN],
  [-60 * MIN, END + 90 * MIN, 5 * MIN], // steps before the first and past the last sample (skipped by the selector)
  [-3 * 24 * 60 * MIN, END + 24 * 60 * MIN, 10 * MIN], // a 4 d range over 2 h of data: evaluated on the steps near the data (narrow.ts)
  [-200 * MIN, 20 * MIN, 10 * MIN], // the data starts near the end of the range
  [-200 * MIN, -10 * MIN, 10 * MIN], // no data in the range
];
const INSTANTS = [0, 31 * MIN + 3_000, 62 * MIN, 90 * MIN + 7_500, END];

for (const q of QUERIES) {
  test(`step evaluator = per-step evaluator: ${q}`, async () => {
    for (const [start, end, step] of RANGES) {
      const run = (e: QueryEngine): Promise<unknown> => e.rangeQuery(q, start, end, step);
      assert.deepStrictEqual(await outcome(run, fast), await outcome(run, reference), `range ${start}..${end} step ${step}`);
    }
    for (const t of INSTANTS) {
      const run = (e: QueryEngine): Promise<unknown> => e.instantQuery(q, t);
      assert.deepStrictEqual(await outcome(run, fast), await outcome(run, reference), `instant at ${t}`);
    }
  });
}

test('over its cell budget (series × steps past maxSamples) the query runs per step, with the same result', async () => {
  const opts = { maxSamples: 6_000 };
  const small = new QueryEngine(new Store(), opts);
  const smallReference = new QueryEngine(new Store(), { ...opts, perStepOnly: true });
  for (const q of ['sum(mem_bytes)', 'count by (node) (mem_bytes > 1000)', 'rate(cpu_total[5m])']) {
    const run = (e: QueryEngine): Promise<unknown> => e.rangeQuery(q, 0, END, 5_000);
    const got = await outcome(run, small);
    assert.deepStrictEqual(got, await outcome(run, smallReference), q);
    if (q === 'sum(mem_bytes)') assert.equal((got as { series: unknown[] }).series.length, 1, 'answered, not refused');
  }
});

test('a subquery charges the sample budget as the per-step engine does', async () => {
  const outcomes = new Set<string>();
  for (const maxSamples of [1_500, 2_500, 4_000, 8_000, 30_000]) {
    const small = new QueryEngine(new Store(), { maxSamples });
    const smallReference = new QueryEngine(new Store(), { maxSamples, perStepOnly: true });
    for (const q of ['max_over_time(sum(mem_bytes)[10m:1m])', 'sum_over_time(mem_bytes[5m:30s])']) {
      const run = (e: QueryEngine): Promise<unknown> => e.rangeQuery(q, 30 * MIN, END, 60_000);
      const got = await outcome(run, small);
      assert.deepStrictEqual(got, await outcome(run, smallReference), `${q} with maxSamples ${maxSamples}`);
      outcomes.add((got as { error?: string }).error ?? 'answered');
    }
  }
  assert.equal(outcomes.size, 2, 'some budgets refuse, some answer');
});


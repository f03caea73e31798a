/** The UI's pure logic: groupings, URL state, PromQL building, table rows, time ranges, formatting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breadcrumbs, groupingFor, levelLabel, scopeKind, scopeLabels } from '../src/lib/grouping.js';
import { columnQueries } from '../src/lib/explore-queries.js';
import { formatValue } from '../src/lib/format.js';
import { quote, selector, substitute } from '../src/lib/promql.js';
import { scopeDashboard } from '../src/lib/scope-dashboards.js';
import type { ColumnId } from '../src/lib/explore-queries.js';
import { parseSearch } from '../src/lib/table.js';
import { TableModel } from '../src/lib/table-model.js';
import { rateWindowMs, resolve, stepFor, zoomOut } from '../src/lib/time-range.js';
import { DEFAULT_STATE, formatState, parseState } from '../src/lib/url-state.js';

test('groupings: built-in logical and physical, custom labels validated, scope and breadcrumbs', () => {
  const g = groupingFor('logical');
  assert.deepEqual(g.levels, ['cluster', 'namespace', 'workload', 'pod', 'container', 'comm']);
  assert.equal(levelLabel(g, ['demo', 'prod']), 'workload');
  assert.equal(levelLabel(g, ['a', 'b', 'c', 'd', 'e', 'f']), undefined);
  assert.equal(scopeKind(g, []), 'overview');
  assert.equal(scopeKind(g, ['demo', 'prod']), 'namespace');
  assert.equal(scopeKind(g, ['demo', 'prod', 'api', 'p', 'c', 'node']), 'process');
  assert.deepEqual(scopeLabels(groupingFor('physical'), ['demo', 'n1']), { cluster: 'demo', node: 'n1' });
  assert.deepEqual(breadcrumbs(g, ['demo', 'prod']).map((c) => c.path), [['demo'], ['demo', 'prod']]);
  assert.deepEqual(groupingFor('custom:label_track, namespace').levels, ['label_track', 'namespace']);
  assert.deepEqual(groupingFor('hosts').levels, ['host', 'container', 'comm']);
  assert.throws(() => groupingFor('custom:'), /at least one label/);
  assert.throws(() => groupingFor('custom:1bad'), /"1bad" is not a valid label name/);
  assert.throws(() => groupingFor('custom:a,a'), /lists a label twice/);
  assert.throws(() => groupingFor('tree'), /unknown grouping "tree"/);
});

test('URL state round-trips, leaves defaults out, and reports bad parameters without failing', () => {
  const s = { ...DEFAULT_STATE, grouping: 'physical', path: ['demo', 'node 1'], range: { kind: 'absolute' as const, startMs: 1000, endMs: 5000 }, live: false, sort: { column: 'mem', descending: false }, search: 'api cpu>0.5', vars: { ns: 'prod' } };
  const text = formatState(s);
  assert.equal(parseState(text).state.path.join('|'), 'demo|node 1');
  assert.deepEqual(parseState(text).state, s);
  assert.equal(formatState(DEFAULT_STATE), '');
  const rel = parseState('?last=6h&live=0').state;
  assert.deepEqual(rel.range, { kind: 'relative', durationMs: 6 * 3_600_000 });
  assert.equal(rel.live, false);
  const bad = parseState('?view=nope&group=custom:1x&last=forever&from=9&to=3');
  assert.deepEqual(bad.state.range, DEFAULT_STATE.range);
  assert.equal(bad.state.view, 'explore');
  assert.equal(bad.problems.length, 4);
  assert.match(bad.problems.join('\n'), /unknown view "nope"[\s\S]*not a valid label name[\s\S]*not a window[\s\S]*"last=forever"/);
});

test('PromQL building quotes values and substitutes variables', () => {
  assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(selector('up', {}), 'up');
  assert.equal(selector('up', { namespace: 'prod', cluster: 'x' }, ['code="500"']), 'up{cluster="x",namespace="prod",code="500"}');
  assert.equal(substitute('rate(x{ns="$ns"}[${__rate_interval}]) $unknown', { ns: 'prod', __rate_interval: '2m' }), 'rate(x{ns="prod"}[2m]) $unknown');
});

test('Explore columns: one query per column, scoped and grouped; the process level reads proc_* series', () => {
  const qs = columnQueries({ by: 'workload', scope: { cluster: 'demo', namespace: 'prod' }, rateMs: 120_000, rangeMs: 3_600_000 });
  const byId = Object.fromEntries(qs.map((q) => [q.id, q.expr]));
  assert.equal(byId.cpu, 'sum by (workload) (rate(container_cpu_usage_seconds_total{cluster="demo",namespace="prod",workload!=""}[2m]))');
  assert.equal(byId.memLim, 'sum by (workload) (kube_pod_container_resource_limits{cluster="demo",namespace="prod",workload!="",resource="memory"})');
  assert.equal(byId.restarts, 'sum by (workload) (increase(kube_pod_container_status_restarts_total{cluster="demo",namespace="prod",workload!=""}[1h]))');
  assert.equal(byId.latency, 'histogram_quantile(0.95, sum by (workload, le) (rate(http_request_duration_seconds_bucket{cluster="demo",namespace="prod",workload!=""}[2m])))'
    + ' or sum by (workload) (rate(http_request_duration_seconds_sum{cluster="demo",namespace="prod",workload!=""}[2m])) / sum by (workload) (rate(http_request_duration_seconds_count{cluster="demo",namespace="prod",workload!=""}[2m]))');
  const proc = columnQueries({ by: 'comm', scope: { pod: 'p', container: 'c' }, rateMs: 60_000, rangeMs: 3_600_000 });
  assert.deepEqual(proc.map((q) => q.id), ['cpu', 'mem']);
  assert.match(proc[0]!.expr, /proc_cpu_seconds_total\{container="c",pod="p",comm!=""\}/);
});

test('table rows: merged columns, derived percentages, search and numeric filters, sorting with missing values last', () => {
  const model = new TableModel();
  const columns: [ColumnId, [string, number][]][] = [
    ['cpu', [['api', 0.5], ['db', 2], ['job', 0.1]]],
    ['cpuReq', [['api', 1], ['db', 1]]],
    ['mem', [['api', 300e6], ['db', 3e9]]],
    ['memLim', [['api', 400e6]]],
    ['latency', [['api', NaN], ['db', 0.2]]],
  ];
  for (const [id, pairs] of columns) model.setColumn(id, { names: pairs.map(([n]) => n), values: Float64Array.from(pairs, ([, v]) => v) });
  const names = (rows: Uint32Array): string[] => Array.from(rows, (i) => model.name(i));
  const all = model.select(parseSearch(''));
  const api = model.row(all.find((i) => model.name(i) === 'api')!);
  assert.equal(api.values.cpuPctReq, 50);
  assert.equal(api.values.memPctLim, 75);
  assert.equal(api.values.latency, undefined, 'NaN (0/0) is no value');
  assert.deepEqual(names(model.order(all, 'cpu', true)), ['db', 'api', 'job']);
  assert.deepEqual(names(model.order(all, 'memPctLim', true)), ['api', 'db', 'job']);
  assert.deepEqual(names(model.order(all, 'name', false)), ['api', 'db', 'job']);
  assert.deepEqual(names(model.order(all, 'name', true)), ['job', 'db', 'api']);
  const s = parseSearch('cpu>0.2 mem<1Gi');
  assert.deepEqual(s.filters, [{ key: 'cpu', op: '>', value: 0.2 }, { key: 'mem', op: '<', value: 1024 ** 3 }]);
  assert.deepEqual(names(model.select(s)), ['api']);
  assert.deepEqual(names(model.select(parseSearch('DB'))), ['db']);
  assert.deepEqual(names(model.select(parseSearch('latency>100ms'))), ['db']);
  assert.deepEqual(parseSearch('disk>5').errors, ['unknown column "disk" (use cpu, cpu%req, cpu%lim, mem, mem%, mem%lim, restarts, net, latency, errors)']);
  assert.deepEqual(parseSearch('mem>5Qb').errors, ['unknown unit "Qb" in mem>5Qb']);
  assert.equal(model.maxOf('mem'), 3e9);
  assert.ok(model.has('memPctLim') && !model.has('net'));
  // A column's new answer replaces it: job has no CPU any more, and no value at all, so it is gone.
  model.setColumn('cpu', { names: ['api', 'db'], values: Float64Array.of(0.7, 1) });
  assert.deepEqual(names(model.order(model.select(parseSearch('')), 'cpu', true)), ['db', 'api']);
});

test('time ranges: relative follows now, steps are round, zoom out doubles the window without passing now', () => {
  const now = 10_000_000;
  assert.deepEqual(resolve({ kind: 'relative', durationMs: 3_600_000 }, now), { startMs: now - 3_600_000, endMs: now });
  assert.equal(stepFor({ startMs: 0, endMs: 3_600_000 }), 15_000);
  assert.equal(stepFor({ startMs: 0, endMs: 6 * 3_600_000 }), 120_000);
  assert.equal(rateWindowMs(10_000), 60_000);
  assert.equal(rateWindowMs(120_000), 480_000);
  assert.deepEqual(zoomOut({ startMs: now - 1000, endMs: now }, now), { kind: 'absolute', startMs: now - 2000, endMs: now });
});

test('scope dashboards: each kind has its panels, requests and limits beside usage, scoped selectors', () => {
  for (const kind of ['overview', 'cluster', 'namespace', 'workload', 'pod', 'container', 'node', 'host', 'process']) {
    assert.ok(scopeDashboard({ kind, scope: { cluster: 'demo' }, child: 'pod', rateMs: 60_000 }).length >= 2, kind);
  }
  const ns = scopeDashboard({ kind: 'namespace', scope: { namespace: 'prod' }, child: 'workload', rateMs: 60_000 });
  const cpu = ns.find((p) => p.title.startsWith('CPU'))!;
  assert.deepEqual(cpu.queries.map((q) => q.legend), ['used', 'request', 'limit']);
  assert.equal(cpu.queries[1]!.expr, 'sum(kube_pod_container_resource_requests{namespace="prod",resource="cpu"})');
  const byWorkload = ns.find((p) => p.title === 'CPU by workload, top 10 (cores)')!;
  assert.equal(byWorkload.queries[0]!.expr, 'topk(10, sum by (workload) (rate(container_cpu_usage_seconds_total{namespace="prod"}[1m])))', 'breakdowns keep the top series on the server');
  const latency = ns.find((p) => p.title.startsWith('Request latency ('))!;
  assert.deepEqual(latency.queries.map((q) => q.legend), ['p50', 'p95', 'p99', 'mean']);
  assert.equal(latency.queries[1]!.expr, 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="prod"}[1m])))');
  assert.ok(ns.some((p) => p.title === 'Request latency p95 by workload, top 10'));
});

test('values are formatted in their unit', () => {
  assert.equal(formatValue(0.25, 'cores'), '250m');
  assert.equal(formatValue(2.5, 'cores'), '2.5');
  assert.equal(formatValue(1536 * 1024 * 1024, 'bytes'), '1.5 GiB');
  assert.equal(formatValue(0.0456, 'seconds'), '46 ms');
  assert.equal(formatValue(0.031, 'ratio'), '3.1%');
  assert.equal(formatValue(undefined, 'bytes'), '—');
});

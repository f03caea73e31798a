/** Dashboard documents: valid ones parse; each kind of bad field is named. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { legendFor, MemoryDashboardStore, parseDashboard, slug } from '../src/index.js';

const good = {
  version: 1, id: 'team-checkout', title: 'Team checkout',
  variables: [{ name: 'ns', label: 'namespace', match: 'kube_pod_info' }],
  panels: [
    { title: 'CPU', type: 'timeseries', unit: 'cores', queries: [{ expr: 'sum(rate(container_cpu_usage_seconds_total{namespace="$ns"}[5m]))', legend: 'cpu' }] },
    { title: 'Top', type: 'bar', unit: 'bytes', limit: 5, width: 2, queries: [{ expr: 'sum by (pod) (container_memory_working_set_bytes)' }] },
  ],
};

test('a valid dashboard parses to itself', () => {
  assert.deepEqual(parseDashboard(good), good);
  assert.deepEqual(parseDashboard(JSON.parse(JSON.stringify(good))), good);
});

test('bad fields are named', () => {
  const cases: [unknown, RegExp][] = [
    [[], /^dashboard: expected a JSON object/],
    [{ ...good, version: 2 }, /^version: expected 1, got 2/],
    [{ ...good, id: 'Bad Id' }, /^id: expected lowercase letters/],
    [{ ...good, title: ' ' }, /^title: expected a non-empty string/],
    [{ ...good, variables: [{ name: '1x', label: 'namespace' }] }, /^variables\[0\]\.name:/],
    [{ ...good, panels: 'x' }, /^panels: expected an array/],
    [{ ...good, panels: [{ ...good.panels[0], type: 'pie' }] }, /^panels\[0\]\.type: expected one of timeseries, bar, stat, table/],
    [{ ...good, panels: [{ ...good.panels[0], unit: 'furlongs' }] }, /^panels\[0\]\.unit:/],
    [{ ...good, panels: [{ ...good.panels[0], queries: [] }] }, /^panels\[0\]\.queries: expected at least one query/],
    [{ ...good, panels: [good.panels[0], { ...good.panels[1], queries: [{ expr: '' }] }] }, /^panels\[1\]\.queries\[0\]\.expr: expected a PromQL expression/],
    [{ ...good, panels: [{ ...good.panels[1], limit: 0 }] }, /^panels\[0\]\.limit:/],
  ];
  for (const [raw, message] of cases) assert.throws(() => parseDashboard(raw), (e: Error) => message.test(e.message), String(message));
});

test('legends and slugs', () => {
  assert.equal(legendFor({ pod: 'a', namespace: 'n' }, '{{namespace}}/{{ pod }}'), 'n/a');
  assert.equal(legendFor({ __name__: 'up', job: 'x' }, undefined), 'x');
  assert.equal(legendFor({ __name__: 'up' }, undefined), 'up');
  assert.equal(slug('  CPU by Team #1 '), 'cpu-by-team-1');
  assert.equal(slug('!!!'), 'dashboard');
});

test('memory store: put replaces, list sorted by title, delete says whether it deleted', async () => {
  const s = new MemoryDashboardStore();
  const d = parseDashboard(good);
  await s.put(d);
  await s.put({ ...d, id: 'a', title: 'Alpha' });
  assert.deepEqual((await s.list()).map((x) => x.id), ['a', 'team-checkout']);
  assert.equal(await s.delete('a'), true);
  assert.equal(await s.delete('a'), false);
  assert.equal(await s.get('a'), undefined);
});

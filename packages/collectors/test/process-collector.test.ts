import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessCollector, selectProcesses } from '../src/index.js';
import { fixtureText, pointsOf, testdata, valueOf } from './fixtures.js';

const containerId = fixtureText('v1/container-id');
const containerPid = fixtureText('v1/container-pid');

function collector(topN: number, includeContainerProcesses: boolean): ProcessCollector {
  return new ProcessCollector({
    procRoot: testdata('v1/proc'),
    pageSizeBytes: 4096,
    topN,
    includeContainerProcesses,
    maxProcesses: 100,
    containerLabels: (id) => (id === containerId ? { container_id: id, container: 'burn' } : undefined),
  });
}

test('container processes are attributed to their container', async () => {
  const set = await collector(0, true).collect();
  const pids = new Set(pointsOf(set, 'proc_threads').map((p) => p.labels['pid']));
  assert.deepEqual([...pids], [containerPid], 'topN 0: only the container process');
  const stat = fixtureText(`v1/proc/${containerPid}/stat`).split(' ');
  const rssPages = Number(stat[23]);
  assert.equal(valueOf(set, 'proc_resident_memory_bytes', { pid: containerPid, container: 'burn', container_id: containerId }), rssPages * 4096);
  assert.ok(pointsOf(set, 'proc_open_fds', { pid: containerPid }).length === 1);
});

test('topN adds host processes; none without it', async () => {
  const set = await collector(5, false).collect();
  const pids = new Set(pointsOf(set, 'proc_threads').map((p) => p.labels['pid']));
  assert.ok(pids.size >= 2, `expected host processes too, got ${[...pids].join(',')}`);
  const none = await collector(0, false).collect();
  assert.equal(pointsOf(none, 'proc_threads').length, 0);
});

test('selection: union of top CPU and top memory, container processes, capped and counted', () => {
  const c = (key: string, cpu: number, rss: number, inContainer = false): { key: string; cpuDeltaSeconds: number; rssBytes: number; inContainer: boolean } => ({
    key,
    cpuDeltaSeconds: cpu,
    rssBytes: rss,
    inContainer,
  });
  const cands = [c('a', 9, 1), c('b', 1, 9), c('c', 5, 5), c('d', 0, 0, true), c('e', 0, 0, true)];
  assert.deepEqual([...selectProcesses(cands, { topN: 1, includeContainerProcesses: false, maxProcesses: 10 }).keys].sort(), ['a', 'b']);
  assert.deepEqual([...selectProcesses(cands, { topN: 1, includeContainerProcesses: true, maxProcesses: 10 }).keys].sort(), ['a', 'b', 'd', 'e']);
  const capped = selectProcesses(cands, { topN: 2, includeContainerProcesses: true, maxProcesses: 3 });
  assert.equal(capped.keys.size, 3);
  assert.equal(capped.dropped, 2);
  assert.deepEqual([...capped.keys].sort(), ["a", "b", "c"], "the cap keeps the top lists first");
});

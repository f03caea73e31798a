import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeText } from '@fathom/expfmt';
import { HostCollector } from '../src/index.js';
import type { FsStats } from '../src/index.js';
import { assertGolden, fixtureText, pointsOf, testdata, valueOf } from './fixtures.js';

const fs: FsStats = { bsize: 4096, blocks: 1000, bfree: 400, bavail: 300, files: 100, ffree: 60 };

test('host collector on a recorded /proc matches the golden exposition', async () => {
  const c = new HostCollector({ procRoot: testdata('v1/proc'), statfs: () => Promise.resolve(fs) });
  const set = await c.collect();
  assertGolden('v1/host.golden.prom', writeText(set));
});

test('host collector: semantics on the recorded tree', async () => {
  const c = new HostCollector({ procRoot: testdata('v1/proc'), statfs: () => Promise.resolve(fs) });
  const set = await c.collect();
  const cpuLines = fixtureText('v1/proc/stat').split('\n').filter((l) => /^cpu\d+ /.test(l));
  assert.equal(pointsOf(set, 'node_cpu_seconds_total').length, cpuLines.length * 8, 'eight modes per CPU');
  const memTotalKb = Number(/MemTotal:\s+(\d+)/.exec(fixtureText('v1/proc/meminfo'))?.[1]);
  assert.equal(valueOf(set, 'node_memory_MemTotal_bytes'), memTotalKb * 1024);
  assert.equal(valueOf(set, 'node_load1'), Number(fixtureText('v1/proc/loadavg').split(' ')[0]));
  const root = { mountpoint: '/' };
  assert.equal(valueOf(set, 'node_filesystem_size_bytes', root), 4096 * 1000);
  assert.equal(valueOf(set, 'node_filesystem_avail_bytes', root), 4096 * 300);
  assert.equal(pointsOf(set, 'node_filesystem_size_bytes', { fstype: 'proc' }).length, 0, 'pseudo filesystems excluded');
  for (const p of pointsOf(set, 'node_disk_read_bytes_total')) assert.doesNotMatch(p.labels['device'] ?? '', /^(loop|ram)\d/);
});

test('a mount whose statfs fails or hangs is reported as a device error, the rest still comes', async () => {
  const c = new HostCollector({
    procRoot: testdata('v1/proc'),
    statfsTimeoutMs: 50,
    statfs: (p) => (p === '/' ? new Promise<FsStats>(() => {}) : Promise.reject(new Error('EACCES'))),
  });
  const set = await c.collect();
  assert.equal(valueOf(set, 'node_filesystem_device_error', { mountpoint: '/' }), 1);
  assert.equal(pointsOf(set, 'node_filesystem_size_bytes', { mountpoint: '/' }).length, 0);
  assert.ok(pointsOf(set, 'node_cpu_seconds_total').length > 0);
});

test('a missing /proc gives an empty set, not an error', async () => {
  const set = await new HostCollector({ procRoot: '/nonexistent' }).collect();
  assert.equal(set.points.length, 0);
});

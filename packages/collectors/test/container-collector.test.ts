import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerCollector, NO_METADATA } from '../src/index.js';
import type { ContainerMetadataSource } from '../src/index.js';
import { fixtureText, pointsOf, testdata, valueOf } from './fixtures.js';

const signal = new AbortController().signal;

test('cgroup v1 (recorded Docker container with --memory 64m --cpus 1.5)', async () => {
  const id = fixtureText('v1/container-id');
  const metadata: ContainerMetadataSource = {
    lookup: () => Promise.resolve(new Map([[id, { id, name: 'burn', image: 'fathom-busybox:latest', labels: { 'com.example.team': 'core' } }]])),
  };
  const c = new ContainerCollector({ procRoot: testdata('v1/proc'), sysRoot: testdata('v1/sys'), metadata });
  const set = await c.collect(signal);
  const sel = { container_id: id, container: 'burn', image: 'fathom-busybox:latest', label_com_example_team: 'core' };
  assert.equal(valueOf(set, 'container_spec_memory_limit_bytes', sel), 67108864);
  assert.equal(valueOf(set, 'container_spec_cpu_quota', sel), 150000);
  assert.equal(valueOf(set, 'container_spec_cpu_period', sel), 100000);
  const usageNs = Number(fixtureText(`v1/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`));
  assert.equal(valueOf(set, 'container_cpu_usage_seconds_total', sel), usageNs / 1e9);
  const memUsage = Number(fixtureText(`v1/sys/fs/cgroup/memory/docker/${id}/memory.usage_in_bytes`));
  const inactive = Number(/total_inactive_file (\d+)/.exec(fixtureText(`v1/sys/fs/cgroup/memory/docker/${id}/memory.stat`))?.[1]);
  assert.equal(valueOf(set, 'container_memory_working_set_bytes', sel), Math.max(0, memUsage - inactive));
  assert.ok(valueOf(set, 'container_processes', sel) >= 1);
  assert.equal(pointsOf(set, 'container_network_receive_bytes_total').length, 0, '--network none: only lo, which is skipped');
  assert.equal(new Set(set.points.map((p) => p.labels['container_id'])).size, 1, 'only the container, not system.slice');
  assert.equal(c.seen.get(id)?.labels['container'], 'burn');
});

test('cgroup v2 (systemd driver: containerd pod, docker scope, podman conmon)', async () => {
  const c = new ContainerCollector({ procRoot: testdata('v2/proc'), sysRoot: testdata('v2/sys'), metadata: NO_METADATA });
  const set = await c.collect(signal);
  const k8s = { container_id: 'a'.repeat(64) };
  const dock = { container_id: 'b'.repeat(64) };
  assert.deepEqual([...new Set(set.points.map((p) => p.labels['container_id']))].sort(), ['a'.repeat(64), 'b'.repeat(64)]);
  assert.equal(valueOf(set, 'container_cpu_usage_seconds_total', k8s), 5);
  assert.equal(valueOf(set, 'container_cpu_cfs_throttled_periods_total', k8s), 300);
  assert.equal(valueOf(set, 'container_cpu_cfs_throttled_seconds_total', k8s), 4.5);
  assert.equal(valueOf(set, 'container_spec_cpu_quota', k8s), 50000);
  assert.equal(valueOf(set, 'container_spec_memory_limit_bytes', k8s), 268435456);
  assert.equal(valueOf(set, 'container_memory_working_set_bytes', k8s), 104857600 - 10485760);
  assert.equal(valueOf(set, 'container_memory_rss', k8s), 73400320);
  assert.equal(valueOf(set, 'container_memory_failcnt', k8s), 7);
  assert.equal(valueOf(set, 'container_fs_reads_bytes_total', { ...k8s, device: 'vda' }), 4096000);
  assert.equal(valueOf(set, 'container_network_receive_bytes_total', { ...k8s, interface: 'eth0' }), 1234567);
  assert.equal(valueOf(set, 'container_network_transmit_packets_dropped_total', { ...k8s, interface: 'eth0' }), 5);
  assert.equal(pointsOf(set, 'container_network_receive_bytes_total', { interface: 'lo' }).length, 0);
  assert.equal(valueOf(set, 'container_spec_memory_limit_bytes', dock), 0, 'memory.max "max" is unlimited → 0');
  assert.equal(pointsOf(set, 'container_spec_cpu_quota', dock).length, 0, 'cpu.max "max" → no quota series');
  assert.equal(c.seen.get('a'.repeat(64))?.ref.podUid, '1f5b6a3c-2d4e-4f6a-8b9c-0d1e2f3a4b5c');
  assert.equal(c.seen.get('a'.repeat(64))?.labels['container'], undefined, 'no runtime: id only');
});

test('no cgroup filesystem: no containers, no error', async () => {
  const c = new ContainerCollector({ procRoot: '/nonexistent', sysRoot: '/nonexistent', metadata: NO_METADATA });
  assert.equal(pointsOf(await c.collect(signal), 'container_cpu_usage_seconds_total').length, 0);
});

test('docker metadata over a unix socket speaking the Engine API; a dead socket is counted, not thrown', async (t) => {
  const { createServer } = await import('node:http');
  const { tempDir } = await import('@fathom/testkit');
  const { DockerMetadataSource } = await import('../src/index.js');
  const { NOOP_LOGGER } = await import('@fathom/kit');
  const dir = await tempDir();
  t.after(dir.cleanup);
  const socketPath = `${dir.path}/docker.sock`;
  const id = 'c'.repeat(64);
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ Id: id, Names: ['/web'], Image: 'nginx:1.27', Labels: { tier: 'front' }, State: 'running' }]));
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const source = new DockerMetadataSource({ socketPath, logger: NOOP_LOGGER });
  const meta = await source.lookup([id, 'd'.repeat(64)]);
  assert.deepEqual(meta.get(id), { id, name: 'web', image: 'nginx:1.27', labels: { tier: 'front' } });
  assert.equal(meta.size, 1);
  assert.deepEqual(paths, ['/containers/json?all=1']);
  const dead = new DockerMetadataSource({ socketPath: `${dir.path}/nothing.sock`, logger: NOOP_LOGGER });
  assert.equal((await dead.lookup([id])).size, 0);
  assert.equal(dead.errorsTotal, 1);
});

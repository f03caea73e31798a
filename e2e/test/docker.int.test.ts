/**
 * Against real Docker containers: a CPU burner limited to 64 MiB and half a core, and an idle
 * container. The query API must show the burner's CPU counter exactly as the runtime accounts it,
 * its rate within its quota and far above the idle one's, its memory limit, name, image and labels,
 * and its processes attributed to it.
 *
 * No assertion depends on how much CPU the machine could spare (other tests and builds run beside
 * this one): the quota is an upper bound that holds under any load, and the counter is checked
 * against the runtime's own reading taken before and after the agent's sample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { dockerPeer, skipUnless, tempDir, waitFor } from '@fathom/testkit';
import { query, rawSamples, startAgent, startServer } from '../src/index.js';

const IMAGE = 'fathom-busybox:latest';
const QUOTA_CORES = 0.5;
const peer = await dockerPeer();

test('real Docker containers: CPU, memory limit, names, image, labels, processes', { skip: skipUnless(peer), timeout: 120_000 }, async (t) => {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const suffix = Date.now().toString(36);
  const run = async (name: string, cmd: string[], limits: { Memory?: number; NanoCpus?: number } = {}): Promise<Docker.Container> => {
    const c = await docker.createContainer({
      name,
      Image: IMAGE,
      Cmd: cmd,
      Labels: { 'com.fathom.test': 'e2e', 'role.kind': name.startsWith('burn') ? 'burner' : 'idle' },
      HostConfig: { NetworkMode: 'none', ...limits },
    });
    t.after(() => c.remove({ force: true }).catch(() => undefined));
    await c.start();
    return c;
  };
  const burnName = `burn-${suffix}`;
  const idleName = `idle-${suffix}`;
  const burner = await run(burnName, ['sh', '-c', 'while :; do :; done'], { Memory: 64 * 1024 * 1024, NanoCpus: QUOTA_CORES * 1e9 });
  await run(idleName, ['sleep', '3600']);

  const dir = await tempDir();
  const server = await startServer(`${dir.path}/server`);
  t.after(server.stop);
  const agent = await startAgent(`${dir.path}/agent`, server.url, 1000);
  t.after(agent.stop);
  t.after(dir.cleanup); // after the stops: hooks run in order, and a running agent writes into dir

  const cpuOf = async (name: string): Promise<number | undefined> => {
    const rows = await query(server.url, `rate(container_cpu_usage_seconds_total{container="${name}"}[5s])`);
    return rows.length === 1 ? Number(rows[0]?.value[1]) : undefined;
  };
  // Wait for a full 5 s window of samples.
  await waitFor('five seconds of container samples', async () => ((await query(server.url, `count_over_time(container_cpu_usage_seconds_total{container="${burnName}"}[6s])`))[0]?.value[1] === '6' ? true : undefined), 30_000, 500);
  // The counter is the runtime's own: read the runtime before and after an agent sample taken in
  // between; the sample must lie between the two readings.
  const runtimeCpuSeconds = async (): Promise<number> => {
    const stats = (await burner.stats({ stream: false })) as unknown as { cpu_stats: { cpu_usage: { total_usage: number } } };
    return stats.cpu_stats.cpu_usage.total_usage / 1e9;
  };
  const before = await runtimeCpuSeconds();
  const beforeAtS = Date.now() / 1000;
  const sampled = await waitFor('an agent sample after the first runtime reading', async () => {
    const [row] = await rawSamples(server.url, `container_cpu_usage_seconds_total{container="${burnName}"}[3s]`);
    const last = row?.values.at(-1);
    return last && last[0] > beforeAtS ? Number(last[1]) : undefined;
  }, 20_000, 200);
  const after = await runtimeCpuSeconds();
  assert.ok(before - 1e-6 <= sampled && sampled <= after + 1e-6, `agent counter ${sampled} s outside the runtime's readings [${before}, ${after}] s`);

  const burn = await cpuOf(burnName);
  const idle = await cpuOf(idleName);
  assert.ok(burn !== undefined && burn <= QUOTA_CORES * 1.1, `burner CPU ${burn} cores, above its quota of ${QUOTA_CORES}`);
  assert.ok(idle !== undefined && idle < 0.05, `idle CPU ${idle} cores, expected near 0`);
  assert.ok(burn > 0.02 && burn > 10 * idle, `burner CPU ${burn} cores should dwarf the idle one's ${idle}`);

  const [limit] = await query(server.url, `container_spec_memory_limit_bytes{container="${burnName}"}`);
  assert.equal(limit?.value[1], '67108864');
  assert.equal(limit?.metric['image'], IMAGE);
  assert.equal(limit?.metric['host'], 'e2e-host');
  assert.equal(limit?.metric['label_com_fathom_test'], 'e2e');
  assert.equal(limit?.metric['label_role_kind'], 'burner');
  assert.match(limit?.metric['container_id'] ?? '', /^[0-9a-f]{64}$/);
  const [idleLimit] = await query(server.url, `container_spec_memory_limit_bytes{container="${idleName}"}`);
  assert.equal(idleLimit?.value[1], '0', 'no limit is reported as 0');

  const [ws] = await query(server.url, `container_memory_working_set_bytes{container="${burnName}"}`);
  assert.ok(Number(ws?.value[1]) > 0 && Number(ws?.value[1]) <= 67108864, `working set ${ws?.value[1]}`);

  const procs = await query(server.url, `sum by (comm) (rate(proc_cpu_seconds_total{container="${burnName}"}[5s]))`);
  assert.equal(procs.length, 1, `processes of the burner: ${JSON.stringify(procs)}`);
  assert.equal(procs[0]?.metric['comm'], 'sh');
  const procRate = Number(procs[0]?.value[1]);
  assert.ok(procRate > 0.3 * burn && procRate <= QUOTA_CORES * 1.1, `the burner's process at ${procRate} cores, its container at ${burn}`);

  const [cpuBusy] = await query(server.url, 'sum(rate(node_cpu_seconds_total{mode!="idle", host="e2e-host"}[5s]))');
  assert.ok(Number(cpuBusy?.value[1]) >= 0.8 * burn, `host busy CPU ${cpuBusy?.value[1]} should include the burner's ${burn}`);
});

test('a container with no runtime metadata still appears with its id', { skip: skipUnless(peer), timeout: 60_000 }, async (t) => {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', '3600'], HostConfig: { NetworkMode: 'none' } });
  t.after(() => c.remove({ force: true }).catch(() => undefined));
  await c.start();
  const dir = await tempDir();
  const server = await startServer(`${dir.path}/server`);
  t.after(server.stop);
  const agent = await startAgent(`${dir.path}/agent`, server.url, 1000, { dockerSocket: '/nonexistent/docker.sock' });
  t.after(agent.stop);
  t.after(dir.cleanup); // after the stops: hooks run in order, and a running agent writes into dir
  const rows = await waitFor('the container by id', async () => {
    const r = await query(server.url, `container_memory_usage_bytes{container_id="${c.id}"}`);
    return r.length ? r : undefined;
  }, 20_000, 500);
  assert.equal(rows[0]?.metric['container'], undefined);
  assert.equal(rows[0]?.metric['image'], undefined);
  const errors = await query(server.url, 'fathom_agent_runtime_errors_total{runtime="docker"}');
  assert.ok(Number(errors[0]?.value[1]) >= 1, 'the unreachable runtime is counted');
});

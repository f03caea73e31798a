/**
 * The alert library on real containers, end to end: a busybox container holding ~94% of its
 * 32 MiB memory limit and one CPU-throttled container, read by the agent's real cgroup
 * collectors, shipped to the server, whose rule manager evaluates the library as built in (tuned
 * through `server.alertLibrary` to `for: 0`): KubeContainerMemoryNearLimit and
 * KubeCPUThrottlingHigh fire for those containers and not for an idle one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Docker from 'dockerode';
import { loadServerConfig } from '@fathom/config';
import { NOOP_LOGGER } from '@fathom/kit';
import { FathomServer } from '@fathom/server';
import { dockerPeer, skipUnless, tempDir, waitFor } from '@fathom/testkit';
import { startAgent } from '../src/index.js';

const IMAGE = 'fathom-busybox:latest';
const peer = await dockerPeer();

interface ApiAlert {
  readonly labels: Record<string, string>;
  readonly state: string;
}

test('alert library on real containers: memory near limit, CPU throttling', { skip: skipUnless(peer), timeout: 300_000 }, async (t) => {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const suffix = Date.now().toString(36);
  const run = async (name: string, cmd: string[], limits: { Memory?: number; NanoCpus?: number } = {}): Promise<void> => {
    const c = await docker.createContainer({ name, Image: IMAGE, Cmd: cmd, HostConfig: { NetworkMode: 'none', ...limits } });
    t.after(() => c.remove({ force: true }).catch(() => undefined));
    await c.start();
  };
  const hog = `memhog-${suffix}`;
  const burn = `throttled-${suffix}`;
  const idle = `idle-${suffix}`;
  // dd reads 30 MiB from /dev/zero into one buffer, then blocks writing it into a pipe nobody reads.
  await run(hog, ['sh', '-c', 'dd if=/dev/zero bs=30M count=1 2>/dev/null | sleep 3600'], { Memory: 32 * 1024 * 1024 });
  await run(burn, ['sh', '-c', 'while :; do :; done'], { NanoCpus: 0.2e9 });
  await run(idle, ['sleep', '3600'], { Memory: 64 * 1024 * 1024 });

  const dir = await tempDir();
  const config = loadServerConfig({
    overrides: {
      dataDir: `${dir.path}/server`, port: 0,
      rules: { evaluationIntervalMs: 2000 },
      alertLibrary: { rules: { KubeContainerMemoryNearLimit: { forMs: 0 }, KubeCPUThrottlingHigh: { forMs: 0 } } },
    },
  });
  const server = new FathomServer(config, { logger: NOOP_LOGGER });
  const ac = new AbortController();
  const done = server.run(ac.signal);
  t.after(() => (ac.abort(), done));
  const url = `http://127.0.0.1:${await server.listening()}`;
  const agent = await startAgent(`${dir.path}/agent`, url, 1000);
  t.after(agent.stop);
  t.after(dir.cleanup);

  const firing = async (): Promise<ApiAlert[]> => {
    const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { data: { alerts: ApiAlert[] } };
    return body.data.alerts.filter((a) => a.state === 'firing');
  };
  const about = (alerts: readonly ApiAlert[], name: string): string[] => alerts.filter((a) => a.labels['alertname'] === name).map((a) => a.labels['container'] ?? '').filter((c) => c.endsWith(suffix)).sort();
  // CPU throttling needs 5 minutes of rate() history at most, but fires as soon as increase() sees two samples.
  await waitFor('both library alerts firing', async () => {
    const a = await firing();
    return about(a, 'KubeContainerMemoryNearLimit').length > 0 && about(a, 'KubeCPUThrottlingHigh').length > 0 ? a : undefined;
  }, 180_000, 1000);
  const alerts = await firing();
  assert.deepEqual(about(alerts, 'KubeContainerMemoryNearLimit'), [hog]);
  assert.deepEqual(about(alerts, 'KubeCPUThrottlingHigh'), [burn]);
  const mem = alerts.find((a) => a.labels['alertname'] === 'KubeContainerMemoryNearLimit' && a.labels['container'] === hog);
  assert.equal(mem?.labels['severity'], 'warning');
  assert.equal(mem?.labels['host'], 'e2e-host');
});

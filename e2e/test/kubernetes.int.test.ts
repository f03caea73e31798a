/**
 * Kubernetes end to end, against a real API server and controller-manager, with the test playing
 * scheduler and kubelet (real Docker containers, status written through the status subresource).
 * The node agent and the cluster agent run with the service-account tokens of deploy/kubernetes'
 * RBAC, i.e. exactly the permissions users grant them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClusterAgent } from '@fathom/agent';
import { loadAgentConfig } from '@fathom/config';
import { KubeClient, loadKubeConfig } from '@fathom/k8s';
import { NOOP_LOGGER } from '@fathom/kit';
import { dockerPeer, kubeBinDir, kubernetesPeer, skipUnless, startKubeCluster, tempDir, waitFor } from '@fathom/testkit';
import { FakeKubelet, query, startAgent, startServer } from '../src/index.js';

const NS = 'shop';
const NODE = 'e2e-node';
const DEPLOY = fileURLToPath(new URL('../../../deploy/kubernetes/', import.meta.url));
const docker = await dockerPeer();
const kube = kubernetesPeer();
const skip = skipUnless(docker.ok ? kube : docker);

test('Kubernetes: tags, scale, OOMKilled restart, deleted pod, API server restart', { skip, timeout: 600_000 }, async (t) => {
  // Teardown in reverse order of setup (agents stop before the API server and the temp dir go).
  const teardown: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    for (const fn of teardown.reverse()) await fn().catch(() => undefined);
  });
  const dir = await tempDir();
  teardown.push(dir.cleanup);
  const cluster = await startKubeCluster({ controllers: true });
  teardown.push(() => cluster.stop());
  const k = new KubeClient(loadKubeConfig({ apiUrl: cluster.url, token: cluster.adminToken, insecureSkipTlsVerify: true }));
  await promisify(execFile)(join(kubeBinDir(), 'kubectl'), [`--kubeconfig=${cluster.kubeconfig}`, 'apply', '-f', join(DEPLOY, '00-namespace.yaml'), '-f', join(DEPLOY, '10-rbac.yaml')]);
  const tokenFile = async (sa: string): Promise<string> => {
    const r = (await k.request('POST', `/api/v1/namespaces/fathom/serviceaccounts/${sa}/token`, {}, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } })) as { status: { token: string } };
    const path = join(dir.path, `${sa}.token`);
    writeFileSync(path, r.status.token);
    return path;
  };
  await k.request('POST', '/api/v1/namespaces', {}, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await k.request('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, {}, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }).catch(() => undefined);
  const kubelet = new FakeKubelet(k, NS, NODE);
  await kubelet.registerNode();
  kubelet.start();
  teardown.push(() => kubelet.stop());

  const server = await startServer(join(dir.path, 'server'));
  teardown.push(server.stop);
  const connection = { apiUrl: cluster.url, insecureSkipTlsVerify: true, cluster: 'e2e', nodeName: NODE };
  const clusterAgent = await createClusterAgent(
    loadAgentConfig({ overrides: { server: server.url, intervalMs: 1000, dataDir: join(dir.path, 'cluster-agent'), kubernetes: { ...connection, tokenFile: await tokenFile('fathom-cluster-agent') } } }),
    { listen: '127.0.0.1:0', logger: NOOP_LOGGER },
  );
  const stopCluster = new AbortController();
  const clusterRun = clusterAgent.run(stopCluster.signal);
  teardown.push(() => (stopCluster.abort(), clusterRun));
  await waitFor('cluster agent port', () => Promise.resolve(clusterAgent.port), 30_000);
  const agent = await startAgent(join(dir.path, 'agent'), server.url, 1000, {
    kubernetes: { ...connection, enabled: 'on', tokenFile: await tokenFile('fathom-agent'), clusterAgentUrl: `http://127.0.0.1:${clusterAgent.port}` },
  });
  teardown.push(agent.stop);

  const count = async (expr: string): Promise<number> => Number((await query(server.url, `count(${expr})`))[0]?.value[1] ?? 0);
  const until = (what: string, expr: string, n: number) => waitFor(what, async () => ((await count(expr)) === n ? true : undefined), 120_000, 500);
  const cpu = `container_cpu_usage_seconds_total{namespace="${NS}", workload="api"}`;

  // A Deployment with 3 replicas behind a Service.
  await k.request('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {}, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'api' } },
      template: { metadata: { labels: { app: 'api', tier: 'web' } }, spec: { automountServiceAccountToken: false, containers: [{ name: 'app', image: 'fathom-busybox:latest', resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } } }] } },
    },
  });
  await k.request('POST', `/api/v1/namespaces/${NS}/services`, {}, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } });
  await until('3 tagged containers', cpu, 3);
  await until('3 containers with their service', `container_memory_working_set_bytes{namespace="${NS}", workload="api", service="api"}`, 3);
  const [row] = await query(server.url, `container_memory_working_set_bytes{namespace="${NS}", workload="api"}`);
  assert.equal(row?.metric['workload_kind'], 'Deployment');
  assert.equal(row?.metric['node'], NODE);
  assert.equal(row?.metric['cluster'], 'e2e');
  assert.equal(row?.metric['container'], 'app');
  assert.equal(row?.metric['label_tier'], 'web');
  assert.match(row?.metric['pod'] ?? '', /^api-[a-z0-9]+-[a-z0-9]{5}$/);
  assert.equal(row?.metric['label_pod_template_hash'], undefined, 'controller hashes are not labels');
  // Usage against requests and limits, with no join: same labels as the usage series.
  await until('memory limits next to usage', `fathom_container_memory_limit_bytes{namespace="${NS}", workload="api"} == 67108864`, 3);
  await until('memory usage as a fraction of the limit', `fathom_container_memory_working_set_ratio_of_limit{namespace="${NS}", workload="api"} < 1`, 3);
  await until('CPU usage over requests', `rate(container_cpu_usage_seconds_total{namespace="${NS}", workload="api"}[5s]) / fathom_container_cpu_request_cores`, 3);

  // Scale to 5: the new pods are tagged.
  await k.request('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/api`, {}, { spec: { replicas: 5 } }, undefined, 'application/merge-patch+json');
  await until('5 tagged containers', cpu, 5);
  await until('kube-state sees 5 available', `kube_deployment_spec_replicas{deployment="api", workload="api"} == 5`, 1);

  // An OOMKilled restart: counter, reason series (with exit code) and an event with context.
  const victim = (await query(server.url, cpu))[0]!.metric['pod']!;
  const victimUid = (await k.getJson<{ metadata: { uid: string } }>(`/api/v1/namespaces/${NS}/pods/${victim}`)).metadata.uid;
  const finishedAt = new Date(Date.now() - 2000).toISOString();
  await kubelet.writeStatus(victim, {
    containerID: `docker://${kubelet.containers.get(victimUid) ?? ''}`,
    restartCount: 1,
    lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, startedAt: new Date(Date.now() - 60_000).toISOString(), finishedAt } },
  });
  await k.request('POST', `/api/v1/namespaces/${NS}/events`, {}, {
    apiVersion: 'v1', kind: 'Event', metadata: { name: `${victim}.oom` },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: victim, namespace: NS, uid: victimUid, fieldPath: 'spec.containers{app}' },
    reason: 'BackOff', message: 'Back-off restarting failed container app', type: 'Warning', count: 1,
    firstTimestamp: finishedAt, lastTimestamp: finishedAt, source: { component: 'kubelet', host: NODE },
  });
  await until('restart counter', `kube_pod_container_status_restarts_total{pod="${victim}", container="app", workload="api", service="api"} == 1`, 1);
  await until('OOMKilled reason', `kube_pod_container_status_last_terminated_reason{pod="${victim}", reason="OOMKilled", workload="api"} == 1`, 1);
  await until('exit code 137', `kube_pod_container_status_last_terminated_exitcode{pod="${victim}"} == 137`, 1);
  const events = await waitFor('the event in the event store', async () => {
    const r = (await (await fetch(`${server.url}/api/v1/events?match[]=${encodeURIComponent(`{pod="${victim}"}`)}&start=0`)).json()) as { data: { reason: string; labels: Record<string, string> }[] };
    return r.data.length > 0 ? r.data : undefined;
  }, 60_000);
  assert.equal(events[0]?.reason, 'BackOff');
  assert.deepEqual(
    { ...events[0]?.labels },
    { cluster: 'e2e', namespace: NS, pod: victim, node: NODE, container: 'app', workload_kind: 'Deployment', workload: 'api', service: 'api' },
  );

  // A pod deleted (scale down): its series go stale at once, not after the 5-minute lookback.
  await k.request('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/api`, {}, { spec: { replicas: 4 } }, undefined, 'application/merge-patch+json');
  await until('4 containers after a pod is deleted', cpu, 4);

  // The API server restarts mid-watch: the agents resume and tag the next pod.
  await cluster.restartApiServer();
  await k.request('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/api`, {}, { spec: { replicas: 5 } }, undefined, 'application/merge-patch+json');
  await until('5 tagged containers after the API server restarted', cpu, 5);
  const pods = agent.service.kubernetes!.pods;
  assert.equal(pods.stats.lists + pods.stats.relistsAfterGone >= 1, true);
  assert.equal(agent.service.kubernetes!.tagger.pods >= 5, true);
});

/**
 * The alert library on a real kube-apiserver and controller-manager (no kubelet: pods stay
 * Pending): the cluster component's kube-state series (packages/k8s) go into a store, and the
 * library's rules, tuned with `for: 0`, find a Deployment whose replicas cannot become available,
 * a router Deployment short of replicas, and a Service with a selector but no ready endpoint —
 * and nothing about a Deployment scaled to 0 or a Service without a selector.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyOverrides, readLibrary } from '@fathom/alerts';
import type { RuleOverride } from '@fathom/alerts';
import { ClusterState, KubeClient, kubeStateMetrics, loadKubeConfig } from '@fathom/k8s';
import { NOOP_LOGGER } from '@fathom/kit';
import { formatLabels } from '@fathom/model';
import { QueryEngine } from '@fathom/query';
import { JournaledStorage } from '@fathom/storage';
import { useKubeCluster, waitFor } from '@fathom/testkit';

const { skip, cluster } = useKubeCluster({ controllers: true });
const NS = 'health';

function deployment(name: string, replicas: number, labels: Record<string, string> = {}): unknown {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'fathom-busybox:latest' }] } } },
  };
}

test('alert library on a real API server: replicas mismatch, router short, Service without ready endpoints', { skip, timeout: 300_000 }, async () => {
  const c = cluster();
  const k = new KubeClient(loadKubeConfig({ apiUrl: c.url, token: c.adminToken, insecureSkipTlsVerify: true }));
  await k.request('POST', '/api/v1/namespaces', {}, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  for (const d of [deployment('api', 2), deployment('haproxy', 2, { 'app.kubernetes.io/component': 'router' }), deployment('idle', 0)]) {
    await k.request('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {}, d);
  }
  await k.request('POST', `/api/v1/namespaces/${NS}/services`, {}, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } });
  await k.request('POST', `/api/v1/namespaces/${NS}/services`, {}, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external' }, spec: { ports: [{ port: 80 }] } });

  const state = new ClusterState({ client: k, cluster: 'e2e', logger: NOOP_LOGGER });
  const stop = new AbortController();
  const running = state.run(stop.signal);
  try {
    await state.ready();
    // The controllers have created the pods (Pending: no kubelet) and the api Service's EndpointSlice.
    await waitFor('pods and endpoint slices', () => {
      const pods = [...state.pods()].filter((p) => p.metadata?.namespace === NS).length;
      const slices = [...state.watches.endpointslices.cache.values()].filter((s) => s.metadata?.namespace === NS).length;
      return Promise.resolve(pods === 4 && slices >= 1 ? true : undefined);
    }, 120_000, 500);
    const storage = JournaledStorage.open({ dataDir: mkdtempSync(join(tmpdir(), 'fathom-alertlib-k8s-')), fsync: 'never', retentionMs: 1e15, maxSeries: 1e6, maxSeriesPerMetric: 1e6 });
    const nowMs = Date.now();
    for (const tMs of [nowMs - 60_000, nowMs - 30_000, nowMs]) {
      const app = storage.appender();
      for (const p of kubeStateMetrics(state, 'e2e').points) app.append(p.labels, tMs, p.value);
      await app.commit();
    }
    const engine = new QueryEngine(storage);
    const names = ['KubeDeploymentReplicasMismatch', 'RouterDeploymentNotFullyAvailable', 'ServiceTooFewReadyEndpoints'];
    const tuned = applyOverrides(readLibrary(), { rules: Object.fromEntries(names.map((n): [string, RuleOverride] => [n, { forMs: 0 }])) });
    assert.ok(tuned.ok);
    const firing: string[] = [];
    for (const r of tuned.files.flatMap((f) => f.groups.flatMap((g) => g.rules)).filter((x) => names.includes(x.alert ?? ''))) {
      assert.equal(r.for, '0s');
      const res = await engine.instantQuery(r.expr, nowMs);
      assert.equal(res.resultType, 'vector');
      if (res.resultType !== 'vector') continue;
      for (const s of res.samples) {
        const l = s.labels;
        firing.push(`${r.alert ?? ''} ${formatLabels({ deployment: l['deployment'] ?? '', service: l['service'] ?? '' })} ${s.value}`);
      }
    }
    assert.deepEqual(firing.sort(), [
      'KubeDeploymentReplicasMismatch {deployment="api", service=""} 2',
      'KubeDeploymentReplicasMismatch {deployment="haproxy", service=""} 2',
      'RouterDeploymentNotFullyAvailable {deployment="haproxy", service=""} 0',
      'ServiceTooFewReadyEndpoints {deployment="", service="api"} 1',
    ]);
  } finally {
    stop.abort();
    await running;
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSeen } from '@fathom/collectors';
import { LabelPolicy, parseQuantity, PodTagger, Topology } from '@fathom/k8s';
import { formatLabels } from '@fathom/model';
import { resourceMetrics, withKubernetesTags } from '../src/k8s-tags.js';

const tagger = new PodTagger({ cluster: 'c1', topology: new Topology(), labelPolicy: new LabelPolicy() });
tagger.upsert({
  metadata: { name: 'api-1', namespace: 'prod', uid: 'u1', labels: { app: 'api' } },
  spec: { nodeName: 'n1', containers: [{ name: 'app', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } } }] },
  status: { containerStatuses: [{ name: 'app', containerID: 'docker://abc' }] },
});
const seen = new Map<string, ContainerSeen>();
const docker = { container_id: 'abc', container: 'k8s_app_api-1_prod', image: 'busybox', label_io_kubernetes_pod_name: 'api-1' };
const POINTS = [
  { labels: { __name__: 'container_cpu_usage_seconds_total', ...docker }, value: 12 },
  { labels: { __name__: 'container_memory_working_set_bytes', ...docker }, value: 32 * 2 ** 20 },
  { labels: { __name__: 'container_cpu_usage_seconds_total', container_id: 'other', container: 'plain-docker' }, value: 1 },
];

test('pod containers get Kubernetes tags (runtime name and labels give way); others are untouched', () => {
  const out = withKubernetesTags(POINTS, tagger, seen).map((p) => formatLabels(p.labels));
  assert.deepEqual(out, [
    'container_cpu_usage_seconds_total{cluster="c1", container="app", container_id="abc", image="busybox", label_app="api", namespace="prod", node="n1", pod="api-1", workload="api-1", workload_kind="Pod"}',
    'container_memory_working_set_bytes{cluster="c1", container="app", container_id="abc", image="busybox", label_app="api", namespace="prod", node="n1", pod="api-1", workload="api-1", workload_kind="Pod"}',
    'container_cpu_usage_seconds_total{container_id="other", container="plain-docker"}',
  ]);
});

test('requests, limits and the memory ratio carry the usage series\' labels', () => {
  const tagged = withKubernetesTags(POINTS, tagger, seen);
  const out = resourceMetrics(tagged, tagger, seen, parseQuantity).points.map((p) => `${p.labels['__name__'] ?? ''} ${p.labels['pod'] ?? ''} ${p.value}`);
  assert.deepEqual(out, [
    'fathom_container_cpu_request_cores api-1 0.25',
    'fathom_container_memory_request_bytes api-1 67108864',
    'fathom_container_memory_limit_bytes api-1 134217728',
    'fathom_container_memory_working_set_ratio_of_limit api-1 0.25',
  ]);
});

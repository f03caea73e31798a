import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLabels } from '@fathom/model';
import { kubeStateMetrics, MIN_READY_ENDPOINTS_ANNOTATION } from '../src/index.js';
import type { ClusterState, KubeObject } from '../src/index.js';
import { stateWith } from './support.js';

const lines = (s: ClusterState, names: readonly string[]): string[] =>
  kubeStateMetrics(s, 'c1').points.filter((p) => names.includes(p.labels['__name__'] ?? '') && p.value !== 0).map((p) => `${formatLabels(p.labels)} ${p.value}`).sort();

test('kube-state extras: Service selectors, min ready endpoints, endpoint addresses across slices', () => {
  const svc = (name: string, selector?: Record<string, string>, annotations?: Record<string, string>): KubeObject =>
    ({ metadata: { name, namespace: 'prod', ...(annotations ? { annotations } : {}) }, spec: { ...(selector ? { selector } : {}) } }) as KubeObject;
  const slice = (name: string, service: string, endpoints: unknown[]): KubeObject =>
    ({ metadata: { name, namespace: 'prod', labels: { 'kubernetes.io/service-name': service } }, endpoints }) as KubeObject;
  const s = stateWith({
    services: [svc('api', { app: 'api', tier: 'be' }, { [MIN_READY_ENDPOINTS_ANNOTATION]: '2' }), svc('web', { app: 'web' }, { [MIN_READY_ENDPOINTS_ANNOTATION]: 'many' }), svc('ext')],
    endpointslices: [
      slice('api-a', 'api', [{ addresses: ['10.0.0.1'], conditions: { ready: true } }, { addresses: ['10.0.0.2'], conditions: { ready: false } }]),
      slice('api-b', 'api', [{ addresses: ['10.0.0.2'], conditions: { ready: true } }, { addresses: ['10.0.0.3'] }]),
      { metadata: { name: 'orphan', namespace: 'prod' }, endpoints: [{ addresses: ['10.9.9.9'] }] } as KubeObject,
    ],
  });
  assert.deepEqual(lines(s, ['fathom_service_selector_info', 'fathom_service_min_ready_endpoints', 'kube_endpoint_address']), [
    'fathom_service_min_ready_endpoints{cluster="c1", namespace="prod", service="api"} 2',
    'fathom_service_selector_info{cluster="c1", namespace="prod", selector="app=api,tier=be", service="api"} 1',
    'fathom_service_selector_info{cluster="c1", namespace="prod", selector="app=web", service="web"} 1',
    'kube_endpoint_address{cluster="c1", endpoint="api", ip="10.0.0.1", namespace="prod", ready="true"} 1',
    'kube_endpoint_address{cluster="c1", endpoint="api", ip="10.0.0.2", namespace="prod", ready="true"} 1',
    'kube_endpoint_address{cluster="c1", endpoint="api", ip="10.0.0.3", namespace="prod", ready="true"} 1',
  ]);
});

test('kube-state extras: rollout progress, labels, DaemonSet and Job status', () => {
  const s = stateWith({
    deployments: [{
      metadata: { name: 'haproxy', namespace: 'prod', labels: { 'app.kubernetes.io/component': 'router' }, generation: 4 } as KubeObject['metadata'],
      spec: { replicas: 4 },
      status: { observedGeneration: 3, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }, { type: 'Available', status: 'True' }] },
    } as KubeObject],
    daemonsets: [{ metadata: { name: 'agent', namespace: 'kube-system' }, status: { currentNumberScheduled: 5, numberMisscheduled: 1, updatedNumberScheduled: 4, numberAvailable: 4 } } as KubeObject],
    jobs: [{ metadata: { name: 'etl', namespace: 'batch' }, status: { failed: 6, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } } as KubeObject],
  });
  const d = 'cluster="c1", deployment="haproxy", namespace="prod", workload="haproxy", workload_kind="Deployment"';
  assert.deepEqual(lines(s, ['kube_deployment_labels', 'kube_deployment_metadata_generation', 'kube_deployment_status_observed_generation', 'kube_deployment_status_condition']), [
    `kube_deployment_labels{${d.replace('deployment=', 'deployment=').replace('namespace=', 'label_app_kubernetes_io_component="router", namespace=')}} 1`,
    `kube_deployment_metadata_generation{${d}} 4`,
    `kube_deployment_status_condition{cluster="c1", condition="Available", deployment="haproxy", namespace="prod", status="true", workload="haproxy", workload_kind="Deployment"} 1`,
    `kube_deployment_status_condition{cluster="c1", condition="Progressing", deployment="haproxy", namespace="prod", status="false", workload="haproxy", workload_kind="Deployment"} 1`,
    `kube_deployment_status_observed_generation{${d}} 3`,
  ].sort());
  assert.deepEqual(lines(s, ['kube_daemonset_status_number_misscheduled', 'kube_daemonset_status_updated_number_scheduled', 'kube_job_failed']), [
    'kube_daemonset_status_number_misscheduled{cluster="c1", daemonset="agent", namespace="kube-system", workload="agent", workload_kind="DaemonSet"} 1',
    'kube_daemonset_status_updated_number_scheduled{cluster="c1", daemonset="agent", namespace="kube-system", workload="agent", workload_kind="DaemonSet"} 4',
    'kube_job_failed{cluster="c1", condition="true", job_name="etl", namespace="batch", workload="etl", workload_kind="Job"} 1',
  ]);
});

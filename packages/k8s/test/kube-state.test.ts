import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabels } from '@fathom/model';
import { kubeStateMetrics, parseQuantity, toFathomEvent } from '../src/index.js';
import type { KubeEvent, KubeObject } from '../src/index.js';
import { stateWith } from './support.js';

const POD = {
  metadata: { name: 'api-7d9f-x', namespace: 'prod', uid: 'u1', labels: { app: 'api' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7d9f', controller: true }] },
  spec: { nodeName: 'n1', containers: [{ name: 'app', resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '256Mi' } } }] },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [{
      name: 'app', containerID: 'docker://c1', ready: false, restartCount: 3,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-11-25T10:00:00Z' } },
    }],
  },
};

test('kube-state: kube-state-metrics names and labels, plus workload and service', () => {
  const s = stateWith({
    replicasets: [{ metadata: { name: 'api-7d9f', namespace: 'prod', ownerReferences: [{ kind: 'Deployment', name: 'api', controller: true }] } }],
    services: [{ metadata: { name: 'api', namespace: 'prod' }, spec: { selector: { app: 'api' } } } as KubeObject],
    pods: [POD],
    deployments: [{ metadata: { name: 'api', namespace: 'prod' }, spec: { replicas: 3 }, status: { replicas: 3, availableReplicas: 2, updatedReplicas: 3 } } as KubeObject],
    nodes: [{ metadata: { name: 'n1' }, status: { allocatable: { cpu: '2', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } } as KubeObject],
  });
  const lines = kubeStateMetrics(s, 'c1').points.filter((p) => p.value !== 0).map((p) => `${formatLabels(p.labels)} ${p.value}`).sort();
  const ctx = 'cluster="c1", namespace="prod", node="n1", pod="api-7d9f-x", service="api", uid="u1", workload="api", workload_kind="Deployment"';
  const want = [
    `kube_pod_info{${ctx}} 1`,
    `kube_pod_status_phase{${ctx.replace('pod=', 'phase="Running", pod=')}} 1`,
    `kube_pod_status_ready{${ctx.replace('cluster="c1", ', 'cluster="c1", condition="false", ')}} 1`,
    `kube_pod_container_status_restarts_total{${ctx.replace('cluster="c1", ', 'cluster="c1", container="app", ')}} 3`,
    `kube_pod_container_status_waiting_reason{${ctx.replace('cluster="c1", ', 'cluster="c1", container="app", ').replace('pod="api-7d9f-x", ', 'pod="api-7d9f-x", reason="CrashLoopBackOff", ')}} 1`,
    `kube_pod_container_status_last_terminated_reason{${ctx.replace('cluster="c1", ', 'cluster="c1", container="app", ').replace('pod="api-7d9f-x", ', 'pod="api-7d9f-x", reason="OOMKilled", ')}} 1`,
    `kube_pod_container_status_last_terminated_exitcode{${ctx.replace('cluster="c1", ', 'cluster="c1", container="app", ')}} 137`,
    `kube_pod_container_status_last_terminated_timestamp{${ctx.replace('cluster="c1", ', 'cluster="c1", container="app", ')}} ${Date.parse('2026-11-25T10:00:00Z') / 1000}`,
    `kube_pod_container_resource_requests{${ctx.replace('cluster="c1", ', 'cluster="c1", container="app", ').replace('pod="api-7d9f-x", ', 'pod="api-7d9f-x", resource="cpu", ').replace('uid="u1"', 'uid="u1", unit="core"')}} 0.25`,
    `kube_pod_container_resource_requests{${ctx.replace('cluster="c1", ', 'cluster="c1", container="app", ').replace('pod="api-7d9f-x", ', 'pod="api-7d9f-x", resource="memory", ').replace('uid="u1"', 'uid="u1", unit="byte"')}} 134217728`,
    `kube_pod_container_resource_limits{${ctx.replace('cluster="c1", ', 'cluster="c1", container="app", ').replace('pod="api-7d9f-x", ', 'pod="api-7d9f-x", resource="memory", ').replace('uid="u1"', 'uid="u1", unit="byte"')}} 268435456`,
    'kube_deployment_spec_replicas{cluster="c1", deployment="api", namespace="prod", workload="api", workload_kind="Deployment"} 3',
    'kube_deployment_status_replicas{cluster="c1", deployment="api", namespace="prod", workload="api", workload_kind="Deployment"} 3',
    'kube_deployment_status_replicas_available{cluster="c1", deployment="api", namespace="prod", workload="api", workload_kind="Deployment"} 2',
    'kube_deployment_status_replicas_updated{cluster="c1", deployment="api", namespace="prod", workload="api", workload_kind="Deployment"} 3',
    'kube_node_status_condition{cluster="c1", condition="Ready", node="n1", status="true"} 1',
    'kube_node_status_allocatable{cluster="c1", node="n1", resource="cpu", unit="core"} 2',
    'kube_node_status_allocatable{cluster="c1", node="n1", resource="memory", unit="byte"} 8589934592',
    'kube_node_status_allocatable{cluster="c1", node="n1", resource="pods", unit="integer"} 110',
    `kube_pod_labels{${ctx.replace('cluster="c1", ', 'cluster="c1", label_app="api", ')}} 1`,
    'kube_deployment_labels{cluster="c1", deployment="api", namespace="prod", workload="api", workload_kind="Deployment"} 1',
    'kube_service_info{cluster="c1", namespace="prod", service="api", type="ClusterIP"} 1',
    'fathom_service_selector_info{cluster="c1", namespace="prod", selector="app=api", service="api"} 1',
  ].sort();
  assert.deepEqual(lines, want);
});

const QUANTITIES: [string, number | undefined][] = [['250m', 0.25], ['2', 2], ['128Mi', 134217728], ['1G', 1e9], ['1.5Gi', 1.5 * 2 ** 30], ['2e3', 2000], ['100n', 1e-7], ['abc', undefined], ['1Xi', undefined]];
for (const [q, want] of QUANTITIES) test(`quantity ${q}`, () => assert.equal(parseQuantity(q), want));

const EVENTS: [string, KubeEvent, Record<string, unknown> | undefined][] = [
  ['an OOM event on a pod carries the pod\'s context and container', {
    involvedObject: { kind: 'Pod', name: 'api-7d9f-x', namespace: 'prod', fieldPath: 'spec.containers{app}' },
    reason: 'BackOff', message: 'Back-off restarting failed container', type: 'Warning', count: 4, lastTimestamp: '2026-11-25T10:00:00Z', source: { component: 'kubelet', host: 'n1' },
  }, {
    atMs: Date.parse('2026-11-25T10:00:00Z'), type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', source: 'kubernetes', count: 4,
    object: { kind: 'Pod', name: 'api-7d9f-x', namespace: 'prod' },
    labels: { cluster: 'c1', namespace: 'prod', pod: 'api-7d9f-x', node: 'n1', workload_kind: 'Deployment', workload: 'api', container: 'app' },
  }],
  ['a Deployment event names the workload', {
    involvedObject: { kind: 'Deployment', name: 'api', namespace: 'prod' }, reason: 'ScalingReplicaSet', message: 'Scaled up', type: 'Normal', eventTime: '2026-11-25T10:00:01.000000Z',
  }, {
    atMs: Date.parse('2026-11-25T10:00:01Z'), type: 'Normal', reason: 'ScalingReplicaSet', message: 'Scaled up', source: 'kubernetes', count: 1,
    object: { kind: 'Deployment', name: 'api', namespace: 'prod' }, labels: { cluster: 'c1', namespace: 'prod', workload_kind: 'Deployment', workload: 'api' },
  }],
  ['a FailedScheduling event (series count)', {
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns' }, reason: 'FailedScheduling', message: '0/3 nodes are available', type: 'Warning', eventTime: '2026-11-25T10:00:00Z', series: { count: 7, lastObservedTime: '2026-11-25T10:05:00Z' },
  }, {
    atMs: Date.parse('2026-11-25T10:05:00Z'), type: 'Warning', reason: 'FailedScheduling', message: '0/3 nodes are available', source: 'kubernetes', count: 7,
    object: { kind: 'Pod', name: 'p', namespace: 'ns' }, labels: { cluster: 'c1', namespace: 'ns', pod: 'p' },
  }],
  ['no time → dropped', { involvedObject: { kind: 'Pod', name: 'p' }, reason: 'X' }, undefined],
];
for (const [name, e, want] of EVENTS) {
  test(`event: ${name}`, () => {
    const ctx = (ns: string, n: string) => (n === 'api-7d9f-x' ? { cluster: 'c1', namespace: ns, pod: n, node: 'n1', workload_kind: 'Deployment', workload: 'api', label_app: 'api' } : undefined);
    assert.deepEqual(toFathomEvent(e, 'c1', ctx), want);
  });
}

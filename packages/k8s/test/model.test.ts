import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelPolicy, PodTagger, serviceLabel, stripRuntimePrefix, Topology, workloadOf } from '../src/index.js';
import type { OwnerReference, Pod, ServiceSelector } from '../src/index.js';

function pod(name: string, owner: OwnerReference | undefined, labels: Record<string, string> = {}, extra: Partial<Pod> = {}): Pod {
  return {
    metadata: { name, namespace: 'prod', uid: `uid-${name}`, labels, ...(owner ? { ownerReferences: [{ ...owner, controller: true }] } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'app' }] },
    ...extra,
  };
}

const rs = (name: string): OwnerReference => ({ kind: 'ReplicaSet', name });
// [case, pod, known owners, expected workload]
const WORKLOADS: [string, Pod, Record<string, OwnerReference | null>, string][] = [
  ['ReplicaSet → Deployment (known)', pod('api-7d9f-x', rs('api-7d9f')), { 'ReplicaSet prod/api-7d9f': { kind: 'Deployment', name: 'api' } }, 'Deployment/api'],
  ['ReplicaSet → Deployment (inferred from pod-template-hash)', pod('web-5c6b-x', rs('web-5c6b'), { 'pod-template-hash': '5c6b' }), {}, 'Deployment/web'],
  ['bare ReplicaSet (known to have no owner)', pod('rs-x', rs('lonely'), { 'pod-template-hash': 'x' }), { 'ReplicaSet prod/lonely': null }, 'ReplicaSet/lonely'],
  ['bare ReplicaSet (unknown, name does not fit the hash)', pod('rs-y', rs('lonely'), { 'pod-template-hash': 'zz' }), {}, 'ReplicaSet/lonely'],
  ['Job → CronJob', pod('backup-29-x', { kind: 'Job', name: 'backup-29' }), { 'Job prod/backup-29': { kind: 'CronJob', name: 'backup' } }, 'CronJob/backup'],
  ['Job alone', pod('once-x', { kind: 'Job', name: 'once' }), { 'Job prod/once': null }, 'Job/once'],
  ['StatefulSet', pod('db-0', { kind: 'StatefulSet', name: 'db' }), {}, 'StatefulSet/db'],
  ['DaemonSet', pod('agent-abc', { kind: 'DaemonSet', name: 'agent' }), {}, 'DaemonSet/agent'],
  ['bare pod', pod('debug', undefined), {}, 'Pod/debug'],
];
for (const [name, p, owners, want] of WORKLOADS) {
  test(`workload: ${name}`, () => {
    const w = workloadOf(p, (kind, ns, n) => owners[`${kind} ${ns}/${n}`]);
    assert.equal(`${w.kind}/${w.name}`, want);
  });
}

const SVCS: ServiceSelector[] = [
  { namespace: 'prod', name: 'api', selector: { app: 'api' } },
  { namespace: 'prod', name: 'api-headless', selector: { app: 'api' } },
  { namespace: 'prod', name: 'canary', selector: { app: 'api', track: 'canary' } },
  { namespace: 'dev', name: 'api', selector: { app: 'api' } },
];
const SERVICE_CASES: [string, string, Record<string, string>, string | undefined][] = [
  ['two services select it: sorted, comma-joined', 'prod', { app: 'api', track: 'stable' }, 'api,api-headless'],
  ['all three', 'prod', { app: 'api', track: 'canary' }, 'api,api-headless,canary'],
  ['other namespace', 'dev', { app: 'api' }, 'api'],
  ['no match', 'prod', { app: 'web' }, undefined],
  ['no labels', 'prod', {}, undefined],
];
for (const [name, ns, labels, want] of SERVICE_CASES) {
  test(`service: ${name}`, () => assert.equal(serviceLabel(SVCS, ns, labels), want));
}

test('label policy: default drops controller hashes, sanitizes names; allow/deny globs, deny wins', () => {
  assert.deepEqual(new LabelPolicy().apply({ app: 'api', 'pod-template-hash': '5c6b', 'app.kubernetes.io/name': 'x' }), { label_app: 'api', label_app_kubernetes_io_name: 'x' });
  const p = new LabelPolicy({ allow: ['app*', 'team'], deny: ['app.kubernetes.io/*'] });
  assert.deepEqual(p.apply({ app: 'a', 'app.kubernetes.io/name': 'x', team: 't', tier: 'db' }), { label_app: 'a', label_team: 't' });
});

test('containerID prefixes are stripped', () => {
  assert.equal(stripRuntimePrefix('docker://abc'), 'abc');
  assert.equal(stripRuntimePrefix('containerd://def'), 'def');
  assert.equal(stripRuntimePrefix('ghi'), 'ghi');
});

function tagger(): { t: PodTagger; topo: Topology } {
  const topo = new Topology();
  return { t: new PodTagger({ cluster: 'c1', topology: topo, labelPolicy: new LabelPolicy() }), topo };
}

const API_POD = pod('api-7d9f-x', rs('api-7d9f'), { app: 'api', 'pod-template-hash': '7d9f' }, {
  status: { containerStatuses: [{ name: 'app', containerID: 'docker://c1' }, { name: 'sidecar', containerID: 'containerd://c2' }] },
});

test('tagger: container matched by containerStatuses; every tag present; services follow topology changes', () => {
  const { t, topo } = tagger();
  t.upsert(API_POD);
  assert.deepEqual(t.tagsFor('c2'), {
    cluster: 'c1', node: 'n1', namespace: 'prod', pod: 'api-7d9f-x', container: 'sidecar',
    workload_kind: 'Deployment', workload: 'api', label_app: 'api',
  });
  topo.setService({ metadata: { namespace: 'prod', name: 'api' }, spec: { selector: { app: 'api' } } }, true);
  assert.equal(t.tagsFor('c1')?.['service'], 'api');
  assert.equal(t.tagsFor('c1')?.['container'], 'app');
  topo.setService({ metadata: { namespace: 'prod', name: 'api' } }, false);
  assert.equal(t.tagsFor('c1')?.['service'], undefined);
  assert.equal(t.tagsFor('unknown'), undefined);
});

test('tagger: a container not in the status yet is matched by the cgroup pod UID', () => {
  const { t } = tagger();
  t.upsert(pod('solo', undefined, {}, { status: {} }));
  assert.equal(t.tagsFor('new-container', 'uid-solo')?.['pod'], 'solo');
  assert.equal(t.tagsFor('new-container', 'uid-solo')?.['container'], 'app');
});

test('tagger: a deleted pod keeps its tags until its containers are no longer collected', () => {
  const { t } = tagger();
  t.upsert(API_POD);
  t.remove(API_POD);
  assert.equal(t.tagsFor('c1')?.['pod'], 'api-7d9f-x', 'still tagged right after deletion');
  assert.equal(t.sweep(new Set(['c1'])), 0, 'kept while a container is still collected');
  assert.equal(t.tagsFor('c1')?.['pod'], 'api-7d9f-x');
  assert.equal(t.sweep(new Set()), 1);
  assert.equal(t.tagsFor('c1'), undefined);
});

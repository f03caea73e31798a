import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NOOP_LOGGER, runGroup } from '@fathom/kit';
import { useKubeCluster, waitFor } from '@fathom/testkit';
import { CLUSTER_PATHS, ClusterState, NodeMetadata, serveTopology } from '../src/index.js';
import { adminClient, apiMetric, createNamespace } from './support.js';

const NODES = 100;
const { skip, cluster } = useKubeCluster();

test(`${NODES} node agents: the API server's cluster-wide watches stay those of the one cluster component; tags come out complete`, { skip }, async () => {
  const c = cluster();
  const k = adminClient(c);
  await createNamespace(k, 'shop');
  const rs = (await k.request('POST', '/apis/apps/v1/namespaces/shop/replicasets', {}, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'cart-6f7c8', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'cart', uid: '00000000-0000-0000-0000-000000000001', controller: true }] },
    spec: { replicas: 0, selector: { matchLabels: { app: 'cart' } }, template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [{ name: 'app', image: 'fathom-busybox:latest' }] } } },
  })) as { metadata: { uid: string } };
  await k.request('POST', '/api/v1/namespaces/shop/services', {}, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart' }, spec: { selector: { app: 'cart' }, ports: [{ port: 80 }] } });
  for (let i = 0; i < 3; i++) {
    await k.request('POST', '/api/v1/namespaces/shop/pods', {}, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `cart-6f7c8-${i}`, labels: { app: 'cart', 'pod-template-hash': 'zzz' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'cart-6f7c8', uid: rs.metadata.uid, controller: true }] },
      spec: { nodeName: `node-${i}`, automountServiceAccountToken: false, containers: [{ name: 'app', image: 'fathom-busybox:latest' }] },
    });
    await k.request('PATCH', `/api/v1/namespaces/shop/pods/cart-6f7c8-${i}/status`, {}, { status: { containerStatuses: [{ name: 'app', containerID: `docker://cid${i}`, ready: true, restartCount: 0, image: 'fathom-busybox:latest', imageID: '', state: { running: {} } }] } }, undefined, 'application/merge-patch+json');
  }

  const watchesByResource = async (): Promise<Map<string, number>> => {
    const byResource = new Map<string, number>();
    for (const r of await apiMetric(k, 'apiserver_longrunning_requests')) {
      if (r.labels['verb'] === 'WATCH') byResource.set(r.labels['resource'] ?? '', (byResource.get(r.labels['resource'] ?? '') ?? 0) + r.value);
    }
    return byResource;
  };
  const baseline = await watchesByResource(); // the API server's own informers
  const stop = new AbortController();
  const state = new ClusterState({ client: adminClient(c), cluster: 'test', logger: NOOP_LOGGER });
  const http = createServer((req, res) => {
    if (!serveTopology(state.topology, req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const agents = Array.from({ length: NODES }, (_, i) => new NodeMetadata({ client: adminClient(c), nodeName: `node-${i}`, cluster: 'test', clusterAgentUrl: url, logger: NOOP_LOGGER }));
  const running = runGroup([state, ...agents], stop.signal);
  try {
    await state.ready();
    await Promise.all(agents.map((a) => a.ready()));
    await waitFor('node-1 sees its pod with its service', () => Promise.resolve(agents[1]!.tagger.tagsFor('cid1')?.['service'] === 'cart' ? true : undefined), 30_000);
    assert.deepEqual(agents[1]!.tagger.tagsFor('cid1'), {
      cluster: 'test', node: 'node-1', namespace: 'shop', pod: 'cart-6f7c8-1', container: 'app',
      workload_kind: 'Deployment', workload: 'cart', service: 'cart', label_app: 'cart',
    });
    assert.equal(agents[1]!.tagger.tagsFor('cid0'), undefined, 'a node agent knows only its own pods');
    assert.equal(agents[50]!.tagger.pods, 0);

    const watches = await waitFor('watch counts settle', async () => {
      const now = await watchesByResource();
      const delta = new Map([...now].map(([r, n]) => [r, n - (baseline.get(r) ?? 0)] as const).filter(([, n]) => n !== 0));
      return (delta.get('pods') ?? 0) >= NODES + 1 ? delta : undefined;
    }, 60_000);
    const clusterWide = [...watches].filter(([r]) => r !== 'pods').reduce((s, [, n]) => s + n, 0);
    const kinds = Object.keys(CLUSTER_PATHS).length;
    process.stdout.write(`# watches by resource with ${NODES} node agents: ${JSON.stringify(Object.fromEntries(watches))}\n`);
    assert.equal(watches.get('pods'), NODES + 1, 'one node-scoped pod watch per node agent + the cluster component\'s');
    assert.ok(clusterWide <= kinds - 1, `other watches (${clusterWide}) are the cluster component's alone (≤ ${kinds - 1}), whatever the number of nodes`);
    const podWatchers = agents.reduce((s, a) => s + a.pods.stats.watches, 0);
    assert.ok(podWatchers >= NODES);
  } finally {
    stop.abort();
    await running;
    http.close();
  }
});

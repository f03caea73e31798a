import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NOOP_LOGGER, runGroup } from '@fathom/kit';
import { kubeBinDir, useKubeCluster } from '@fathom/testkit';
import { ClusterState, KubeApiError, NodeMetadata } from '../src/index.js';
import { adminClient, createNamespace, createPod, tokenClient } from './support.js';

const run = promisify(execFile);
const DEPLOY = fileURLToPath(new URL('../../../../deploy/kubernetes/', import.meta.url));
const { skip, cluster } = useKubeCluster();

function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(join(kubeBinDir(), 'kubectl'), [`--kubeconfig=${cluster().kubeconfig}`, ...args], { timeout: 120_000 });
}

async function serviceAccountToken(name: string): Promise<string> {
  const r = (await adminClient(cluster()).request('POST', `/api/v1/namespaces/fathom/serviceaccounts/${name}/token`, {}, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } })) as { status: { token: string } };
  return r.status.token;
}

test('deploy/kubernetes passes kubectl apply --dry-run=server against the real API server', { skip }, async () => {
  await kubectl('apply', '-f', join(DEPLOY, '00-namespace.yaml'));
  const { stdout } = await kubectl('apply', '--dry-run=server', '-f', DEPLOY);
  for (const kind of ['daemonset.apps/fathom-agent', 'deployment.apps/fathom-cluster-agent', 'statefulset.apps/fathom-server', 'clusterrole.rbac.authorization.k8s.io/fathom-agent']) {
    assert.match(stdout, new RegExp(`${kind.replace(/[.]/g, '\\.')} (created|configured|unchanged) \\(server dry run\\)`));
  }
});

test('the agents work with exactly the manifests\' permissions, and nothing more', { skip }, async () => {
  await kubectl('apply', '-f', join(DEPLOY, '00-namespace.yaml'), '-f', join(DEPLOY, '10-rbac.yaml'));
  const admin = adminClient(cluster());
  await createNamespace(admin, 'perm');
  await createPod(admin, 'perm', 'web-1', { nodeName: 'node-a' });
  const agentClient = tokenClient(cluster(), await serviceAccountToken('fathom-agent'));
  const clusterClient = tokenClient(cluster(), await serviceAccountToken('fathom-cluster-agent'));

  const node = new NodeMetadata({ client: agentClient, nodeName: 'node-a', cluster: 'c', logger: NOOP_LOGGER });
  const state = new ClusterState({ client: clusterClient, cluster: 'c', logger: NOOP_LOGGER });
  const stop = new AbortController();
  const running = runGroup([node, state], stop.signal);
  try {
    await node.ready();
    await state.ready();
    assert.equal(node.tagger.pods, 1);
    assert.equal(state.watches.pods.cache.size >= 1, true);
    await assert.rejects(agentClient.getJson('/api/v1/services'), (e: unknown) => e instanceof KubeApiError && e.statusCode === 403, 'node agents may not read services');
    await assert.rejects(agentClient.request('DELETE', '/api/v1/namespaces/perm/pods/web-1'), (e: unknown) => e instanceof KubeApiError && e.statusCode === 403, 'nothing may write');
    await assert.rejects(clusterClient.getJson('/api/v1/secrets'), (e: unknown) => e instanceof KubeApiError && e.statusCode === 403, 'the cluster agent may not read secrets');
  } finally {
    stop.abort();
    await running;
  }
});

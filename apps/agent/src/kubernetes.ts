/**
 * The agent's Kubernetes side: connection from config, and the enrichment that gives every
 * container and process series (they carry `container_id`) its place in the cluster.
 */
import { readFileSync } from 'node:fs';
import type { AgentConfig } from '@fathom/config';
import { DEFAULT_LABEL_POLICY, KubeClient, loadKubeConfig, NodeMetadata } from '@fathom/k8s';
import type { KubeConnection } from '@fathom/k8s';
import type { Logger } from '@fathom/kit';

type KubeSettings = AgentConfig['kubernetes'];
// Loaded only when Kubernetes is enabled: @kubernetes/client-node costs resident memory.

export function kubeClientFrom(k: Pick<KubeSettings, 'apiUrl' | 'tokenFile' | 'caFile' | 'insecureSkipTlsVerify' | 'kubeconfig'>): KubeClient {
  const c: KubeConnection = {
    ...(k.apiUrl ? { apiUrl: k.apiUrl } : {}),
    ...(k.tokenFile ? { token: readFileSync(k.tokenFile, 'utf8').trim() } : {}),
    ...(k.caFile ? { caFile: k.caFile } : {}),
    ...(k.kubeconfig ? { kubeconfigPath: k.kubeconfig } : {}),
    insecureSkipTlsVerify: k.insecureSkipTlsVerify,
  };
  return new KubeClient(loadKubeConfig(c));
}

export function nodeMetadataFrom(k: KubeSettings, logger: Logger): NodeMetadata {
  return new NodeMetadata({
    client: kubeClientFrom(k),
    nodeName: k.nodeName,
    cluster: k.cluster,
    ...(k.clusterAgentUrl ? { clusterAgentUrl: k.clusterAgentUrl } : {}),
    labels: { allow: k.labels.allow, deny: k.labels.deny ?? DEFAULT_LABEL_POLICY.deny },
    logger: logger.child({ component: 'kubernetes' }),
  });
}


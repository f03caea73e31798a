/** Kubernetes tags on container and process series (no API client here: see kubernetes.ts). */
import type { AgentConfig } from '@fathom/config';
import type { ContainerSeen } from '@fathom/collectors';
import type { PodTagger } from '@fathom/k8s';
import { labelsOf } from '@fathom/model';
import type { Point } from '@fathom/model';

export function kubernetesEnabled(k: AgentConfig['kubernetes']): boolean {
  if (k.enabled !== 'auto') return k.enabled === 'on';
  return Boolean(process.env['KUBERNETES_SERVICE_HOST'] || k.apiUrl || k.kubeconfig);
}

/**
 * Adds the pod's tags to every series of a container known to belong to a pod. The runtime's
 * container name and labels give way to Kubernetes' (`container` = the pod spec's container name,
 * `label_*` = the pod's labels under the label policy).
 */
export function withKubernetesTags(points: readonly Point[], tagger: PodTagger, seen: ReadonlyMap<string, ContainerSeen>): Point[] {
  const cache = new Map<string, Readonly<Record<string, string>> | undefined>();
  return points.map((p) => {
    const id = p.labels['container_id'];
    if (id === undefined) return p;
    let tags = cache.get(id);
    if (!cache.has(id)) {
      tags = tagger.tagsFor(id, seen.get(id)?.ref.podUid);
      cache.set(id, tags);
    }
    if (tags === undefined) return p;
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.labels)) if (!k.startsWith('label_') && k !== 'container') kept[k] = v;
    return { labels: labelsOf({ ...kept, ...tags }), value: p.value };
  });
}

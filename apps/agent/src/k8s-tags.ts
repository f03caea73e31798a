/** Kubernetes tags on container and process series (no API client here: see kubernetes.ts). */
import type { AgentConfig } from '@fathom/config';
import type { ContainerSeen } from '@fathom/collectors';
import type { PodTagger } from '@fathom/k8s';
import { labelsOf, MetricSetBuilder } from '@fathom/model';
import type { MetricSet, Point } from '@fathom/model';

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

const RESOURCE_METRICS: readonly [name: string, help: string, kind: 'requests' | 'limits', resource: 'cpu' | 'memory'][] = [
  ['fathom_container_cpu_request_cores', 'CPU requested by the container in its pod spec, in cores.', 'requests', 'cpu'],
  ['fathom_container_cpu_limit_cores', 'CPU limit of the container in its pod spec, in cores.', 'limits', 'cpu'],
  ['fathom_container_memory_request_bytes', 'Memory requested by the container in its pod spec.', 'requests', 'memory'],
  ['fathom_container_memory_limit_bytes', 'Memory limit of the container in its pod spec.', 'limits', 'memory'],
];

/**
 * Requests and limits next to usage: for each pod container, gauges with exactly the labels of its
 * cAdvisor series, so `rate(container_cpu_usage_seconds_total[5m]) / fathom_container_cpu_request_cores`
 * needs no join; plus `fathom_container_memory_working_set_ratio_of_limit`, ready to alert on.
 */
export function resourceMetrics(points: readonly Point[], tagger: PodTagger, seen: ReadonlyMap<string, ContainerSeen>, parse: (q: string | undefined) => number | undefined): MetricSet {
  const b = new MetricSetBuilder();
  for (const [name, help] of RESOURCE_METRICS) b.describe(name, 'gauge', help);
  b.describe('fathom_container_memory_working_set_ratio_of_limit', 'gauge', 'Working set over the memory limit of the pod spec (1 = at the limit).');
  for (const p of points) {
    const metric = p.labels['__name__'];
    if (metric !== 'container_cpu_usage_seconds_total' && metric !== 'container_memory_working_set_bytes') continue;
    const id = p.labels['container_id'] ?? '';
    const spec = tagger.specFor(id, seen.get(id)?.ref.podUid);
    if (!spec) continue;
    const labels = Object.fromEntries(Object.entries(p.labels).filter(([k]) => k !== '__name__'));
    if (metric === 'container_cpu_usage_seconds_total') {
      for (const [name, , kind, resource] of RESOURCE_METRICS) {
        const v = parse(spec.resources?.[kind]?.[resource]);
        if (v !== undefined) b.add(name, labels, v);
      }
    } else {
      const limit = parse(spec.resources?.limits?.['memory']);
      if (limit !== undefined && limit > 0) b.add('fathom_container_memory_working_set_ratio_of_limit', labels, p.value / limit);
    }
  }
  return b.build();
}

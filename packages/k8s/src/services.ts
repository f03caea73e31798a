/**
 * Which Services select a pod: same namespace, a non-empty selector, every selector pair among the
 * pod's labels (the endpoints controller's rule). Several Services are represented as ONE label,
 * `service`, holding the sorted names joined by ",", e.g. `api,api-headless`, so a series is never
 * duplicated; select one with `service=~"(.*,)?api(,.*)?"`.
 */
import type { Service } from './objects.js';

export interface ServiceSelector {
  readonly namespace: string;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
}

export function selectorOf(svc: Service): ServiceSelector | undefined {
  const selector = svc.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  return { namespace: svc.metadata?.namespace ?? '', name: svc.metadata?.name ?? '', selector };
}

export function selects(s: ServiceSelector, namespace: string, podLabels: Readonly<Record<string, string>>): boolean {
  if (s.namespace !== namespace) return false;
  for (const [k, v] of Object.entries(s.selector)) if (podLabels[k] !== v) return false;
  return true;
}

/** The `service` label value for a pod, or undefined when no Service selects it. */
export function serviceLabel(services: Iterable<ServiceSelector>, namespace: string, podLabels: Readonly<Record<string, string>>): string | undefined {
  const names: string[] = [];
  for (const s of services) if (selects(s, namespace, podLabels)) names.push(s.name);
  return names.length === 0 ? undefined : [...new Set(names)].sort().join(',');
}

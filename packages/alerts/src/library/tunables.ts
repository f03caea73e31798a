/**
 * What each library rule lets users change besides `enabled`, `for` and labels: the literal text
 * of its threshold or selector in the expression, replaced as a token. A test checks that every
 * token occurs in its rule's expression.
 */
export interface Tunable {
  /** The number the alert compares against, as written in the expression. */
  readonly threshold?: string;
  /** A series selector in the expression that users may replace (e.g. which Deployments are routers). */
  readonly selector?: string;
}

export const TUNABLES: Readonly<Record<string, Tunable>> = {
  KubeCPUThrottlingHigh: { threshold: '0.25' },
  KubeContainerMemoryNearLimit: { threshold: '0.9' },
  NodeFilesystemFillingUp: { threshold: '0.2' },
  NodeFilesystemAlmostFull: { threshold: '0.05' },
  ServiceLatencyHigh: { threshold: '1' },
  ServiceLatencyDegraded: { threshold: '1.5' },
  ServiceTooFewReadyEndpoints: { threshold: '1' },
  RouterDeploymentNotFullyAvailable: { selector: 'kube_deployment_labels{label_app_kubernetes_io_component="router"}' },
};

export { dockerPeer, executablePeer, findExecutable, skipUnless } from './peers.js';
export type { PeerCheck } from './peers.js';
export { freePort, tempDir, waitFor } from './wait.js';
export { KUBERNETES_VERSION, kubeBinDir, kubernetesPeer, startKubeCluster, useKubeCluster } from './kube-cluster.js';
export type { KubeCluster, KubeClusterOptions } from './kube-cluster.js';
export { prometheusPeer, startPrometheus } from './prometheus.js';
export type { PrometheusOptions, RunningPrometheus } from './prometheus.js';

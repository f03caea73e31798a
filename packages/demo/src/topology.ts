/**
 * The simulated cluster's shape: nodes and workloads, shaped like the seeds' users (a dozen
 * nodes, 15–20 containers each; prod, test and project namespaces; a Node.js API, Java back
 * ends, Python jobs; canary tracks behind HAProxy-like routers). Pure.
 */
import { suffix } from './rng.js';

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job';
/** How a container's load behaves over the day. */
export type LoadProfile = 'web' | 'backend' | 'batch' | 'steady' | 'system';
export const TRACKS = ['internal', 'free', 'paid', 'production'] as const;
export type Track = (typeof TRACKS)[number];

export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly cpuRequestCores: number;
  /** Undefined: no limit (the seeds' domino effect started with services without memory limits). */
  readonly cpuLimitCores?: number;
  readonly memRequestBytes: number;
  readonly memLimitBytes?: number;
  /** Typical CPU use at full daily load, in cores. */
  readonly cpuBaseCores: number;
  /** Typical working set, in bytes. */
  readonly memBaseBytes: number;
  readonly profile: LoadProfile;
}

export interface WorkloadSpec {
  readonly namespace: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly replicas: number;
  readonly app: string;
  readonly track?: Track;
  /** Service name when the workload serves HTTP behind a router; it then reports request metrics. */
  readonly service?: string;
  /** Typical request latency in seconds. */
  readonly latencyBaseS?: number;
  /** Share of the namespace's requests this workload serves (0..1). */
  readonly trafficShare?: number;
  readonly containers: readonly ContainerSpec[];
  /** Name part between the workload and the pod suffix (ReplicaSet hash for Deployments). */
  readonly templateHash: string;
}

export interface NodeSpec {
  readonly name: string;
  readonly cpuCores: number;
  readonly memBytes: number;
  readonly diskBytes: number;
  /** Disk used at the start, 0..1 (the seeds' nodes were already well filled). */
  readonly diskBaseFraction: number;
  readonly zone: string;
}

export interface Topology {
  readonly cluster: string;
  readonly nodes: readonly NodeSpec[];
  readonly workloads: readonly WorkloadSpec[];
}

export interface TopologyOptions {
  readonly nodes: number;
  readonly seed: number;
  readonly cluster?: string;
}

type C = Omit<ContainerSpec, 'image'> & { image?: string };
function c(spec: C): ContainerSpec {
  return { image: `registry.example.com/${spec.name}:1.4.2`, ...spec };
}

const nodeApi = (): ContainerSpec =>
  c({ name: 'api', image: 'registry.example.com/api-node:3.12.0', cpuRequestCores: 0.25, cpuLimitCores: 1, memRequestBytes: 256 * MIB, memLimitBytes: 512 * MIB, cpuBaseCores: 0.22, memBaseBytes: 210 * MIB, profile: 'web' });
const logShipper = (): ContainerSpec =>
  c({ name: 'log-shipper', image: 'fluent/fluent-bit:3.1', cpuRequestCores: 0.02, cpuLimitCores: 0.1, memRequestBytes: 32 * MIB, memLimitBytes: 64 * MIB, cpuBaseCores: 0.01, memBaseBytes: 24 * MIB, profile: 'system' });
// The Java back ends in prod have no memory limit: that is how the domino effect starts.
const javaBackend = (name: string, limited: boolean): ContainerSpec =>
  c({ name, image: `registry.example.com/${name}-jvm:2.7.1`, cpuRequestCores: 0.5, cpuLimitCores: 2, memRequestBytes: 1 * GIB, ...(limited ? { memLimitBytes: 2 * GIB } : {}), cpuBaseCores: 0.45, memBaseBytes: 1.2 * GIB, profile: 'backend' });

function tracked(namespace: string, app: string, replicas: Record<Track, number>, containers: () => ContainerSpec[], latencyBaseS: number): WorkloadSpec[] {
  const share: Record<Track, number> = { internal: 0.01, free: 0.19, paid: 0.2, production: 0.6 };
  return TRACKS.map((track) => ({
    namespace, name: `${app}-${track}`, kind: 'Deployment', replicas: replicas[track], app, track,
    service: `${app}-${track}`, latencyBaseS, trafficShare: share[track], containers: containers(), templateHash: '',
  }));
}

function prod(scale: number): WorkloadSpec[] {
  const r = (n: number): number => Math.max(1, Math.round(n * scale));
  return [
    { namespace: 'prod', name: 'haproxy-router', kind: 'Deployment', replicas: r(2), app: 'router', templateHash: '',
      containers: [c({ name: 'haproxy', image: 'haproxy:3.0', cpuRequestCores: 0.2, cpuLimitCores: 1, memRequestBytes: 128 * MIB, memLimitBytes: 256 * MIB, cpuBaseCores: 0.15, memBaseBytes: 90 * MIB, profile: 'web' })] },
    { namespace: 'prod', name: 'frontend', kind: 'Deployment', replicas: r(3), app: 'frontend', service: 'frontend', latencyBaseS: 0.012, trafficShare: 1, templateHash: '',
      containers: [c({ name: 'nginx', image: 'nginx:1.27', cpuRequestCores: 0.05, cpuLimitCores: 0.5, memRequestBytes: 64 * MIB, memLimitBytes: 128 * MIB, cpuBaseCores: 0.04, memBaseBytes: 40 * MIB, profile: 'web' })] },
    ...tracked('prod', 'api', { internal: 1, free: r(2), paid: r(2), production: r(4) }, () => [nodeApi(), logShipper()], 0.045),
    ...tracked('prod', 'catalog', { internal: 1, free: r(1), paid: r(2), production: r(3) }, () => [javaBackend('catalog', false)], 0.08),
    { namespace: 'prod', name: 'billing', kind: 'Deployment', replicas: r(2), app: 'billing', service: 'billing', latencyBaseS: 0.12, trafficShare: 0.05, templateHash: '',
      containers: [javaBackend('billing', true)] },
    { namespace: 'prod', name: 'auth', kind: 'Deployment', replicas: r(1), app: 'auth', service: 'auth', latencyBaseS: 0.02, trafficShare: 0.3, templateHash: '', containers: [nodeApi(), logShipper()] },
    { namespace: 'prod', name: 'search', kind: 'Deployment', replicas: r(1), app: 'search', service: 'search', latencyBaseS: 0.15, trafficShare: 0.25, templateHash: '', containers: [javaBackend('search', true)] },
    { namespace: 'prod', name: 'notifications', kind: 'Deployment', replicas: r(1), app: 'notifications', templateHash: '',
      containers: [c({ name: 'notifier', image: 'registry.example.com/notifier-py:2.3.0', cpuRequestCores: 0.1, cpuLimitCores: 0.5, memRequestBytes: 128 * MIB, memLimitBytes: 384 * MIB, cpuBaseCores: 0.08, memBaseBytes: 150 * MIB, profile: 'backend' })] },
    { namespace: 'prod', name: 'kafka', kind: 'StatefulSet', replicas: 3, app: 'kafka', templateHash: '',
      containers: [c({ name: 'kafka', image: 'apache/kafka:3.8.0', cpuRequestCores: 0.5, cpuLimitCores: 2, memRequestBytes: 2 * GIB, memLimitBytes: 3 * GIB, cpuBaseCores: 0.35, memBaseBytes: 2.2 * GIB, profile: 'steady' })] },
    { namespace: 'prod', name: 'etl-worker', kind: 'Deployment', replicas: r(2), app: 'etl', templateHash: '',
      containers: [c({ name: 'etl', image: 'registry.example.com/etl-py:0.9.3', cpuRequestCores: 0.5, cpuLimitCores: 1.5, memRequestBytes: 512 * MIB, memLimitBytes: 1.5 * GIB, cpuBaseCores: 0.6, memBaseBytes: 700 * MIB, profile: 'batch' })] },
    { namespace: 'prod', name: 'report-generator', kind: 'Job', replicas: r(1), app: 'reports', templateHash: '',
      containers: [c({ name: 'report', image: 'registry.example.com/reports-py:1.2.0', cpuRequestCores: 0.25, cpuLimitCores: 1, memRequestBytes: 256 * MIB, memLimitBytes: 1 * GIB, cpuBaseCores: 0.7, memBaseBytes: 400 * MIB, profile: 'batch' })] },
    { namespace: 'prod', name: 'postgres', kind: 'StatefulSet', replicas: 2, app: 'postgres', templateHash: '',
      containers: [c({ name: 'postgres', image: 'postgres:16.4', cpuRequestCores: 1, cpuLimitCores: 2, memRequestBytes: 2 * GIB, memLimitBytes: 4 * GIB, cpuBaseCores: 0.5, memBaseBytes: 2.6 * GIB, profile: 'steady' }),
        c({ name: 'pg-exporter', image: 'prometheuscommunity/postgres-exporter:0.15', cpuRequestCores: 0.02, cpuLimitCores: 0.1, memRequestBytes: 32 * MIB, memLimitBytes: 64 * MIB, cpuBaseCores: 0.01, memBaseBytes: 20 * MIB, profile: 'system' })] },
  ];
}

function test(scale: number): WorkloadSpec[] {
  const r = (n: number): number => Math.max(1, Math.round(n * scale));
  return [
    { namespace: 'test', name: 'api', kind: 'Deployment', replicas: r(2), app: 'api', service: 'api', latencyBaseS: 0.05, trafficShare: 0.7, templateHash: '', containers: [nodeApi()] },
    { namespace: 'test', name: 'catalog', kind: 'Deployment', replicas: r(1), app: 'catalog', service: 'catalog', latencyBaseS: 0.09, trafficShare: 0.3, templateHash: '', containers: [javaBackend('catalog', true)] },
    { namespace: 'test', name: 'e2e-runner', kind: 'Job', replicas: 1, app: 'e2e', templateHash: '',
      containers: [c({ name: 'pytest', image: 'registry.example.com/e2e-py:5.0.1', cpuRequestCores: 0.2, cpuLimitCores: 1, memRequestBytes: 256 * MIB, memLimitBytes: 512 * MIB, cpuBaseCores: 0.5, memBaseBytes: 300 * MIB, profile: 'batch' })] },
  ];
}

function project(name: string): WorkloadSpec[] {
  return [
    { namespace: name, name: 'notebook', kind: 'StatefulSet', replicas: 1, app: 'jupyter', templateHash: '',
      containers: [c({ name: 'jupyter', image: 'jupyter/scipy-notebook:2024-10', cpuRequestCores: 0.5, cpuLimitCores: 2, memRequestBytes: 1 * GIB, memLimitBytes: 4 * GIB, cpuBaseCores: 0.3, memBaseBytes: 1.5 * GIB, profile: 'batch' })] },
    { namespace: name, name: 'ingest-worker', kind: 'Deployment', replicas: 2, app: 'ingest', templateHash: '', containers: [javaBackend('ingest', true)] },
    { namespace: name, name: 'redis', kind: 'StatefulSet', replicas: 1, app: 'redis', templateHash: '',
      containers: [c({ name: 'redis', image: 'redis:7.4', cpuRequestCores: 0.1, cpuLimitCores: 0.5, memRequestBytes: 256 * MIB, memLimitBytes: 512 * MIB, cpuBaseCores: 0.06, memBaseBytes: 180 * MIB, profile: 'steady' })] },
  ];
}

function system(): WorkloadSpec[] {
  return [
    { namespace: 'kube-system', name: 'kube-proxy', kind: 'DaemonSet', replicas: 0, app: 'kube-proxy', templateHash: '',
      containers: [c({ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.31.2', cpuRequestCores: 0.1, memRequestBytes: 64 * MIB, cpuBaseCores: 0.02, memBaseBytes: 40 * MIB, profile: 'system' })] },
    { namespace: 'kube-system', name: 'fluentd', kind: 'DaemonSet', replicas: 0, app: 'fluentd', templateHash: '',
      containers: [c({ name: 'fluentd', image: 'fluent/fluentd:v1.17', cpuRequestCores: 0.1, cpuLimitCores: 0.5, memRequestBytes: 200 * MIB, memLimitBytes: 500 * MIB, cpuBaseCores: 0.05, memBaseBytes: 180 * MIB, profile: 'system' })] },
    { namespace: 'kube-system', name: 'fathom-agent', kind: 'DaemonSet', replicas: 0, app: 'fathom-agent', templateHash: '',
      containers: [c({ name: 'agent', image: 'fathom/agent:0.1.0', cpuRequestCores: 0.05, cpuLimitCores: 0.2, memRequestBytes: 64 * MIB, memLimitBytes: 128 * MIB, cpuBaseCores: 0.015, memBaseBytes: 48 * MIB, profile: 'system' })] },
    { namespace: 'kube-system', name: 'coredns', kind: 'Deployment', replicas: 2, app: 'coredns', templateHash: '',
      containers: [c({ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.3', cpuRequestCores: 0.1, memRequestBytes: 70 * MIB, memLimitBytes: 170 * MIB, cpuBaseCores: 0.02, memBaseBytes: 30 * MIB, profile: 'system' })] },
  ];
}

const PROJECTS = ['atlas', 'borealis', 'cygnus', 'draco', 'eridanus', 'fornax', 'gemini', 'hydra', 'lyra', 'orion'];

export function buildTopology(opts: TopologyOptions): Topology {
  const n = Math.max(1, Math.floor(opts.nodes));
  const scale = n / 4;
  const nodes: NodeSpec[] = [];
  for (let i = 0; i < n; i++) {
    const big = i % 4 === 3;
    nodes.push({
      name: `ip-10-0-${Math.floor(i / 250)}-${(i % 250) + 10}.ec2.internal`,
      cpuCores: big ? 8 : 4,
      memBytes: (big ? 32 : 16) * GIB,
      diskBytes: 100 * GIB,
      diskBaseFraction: 0.7 + 0.12 * ((i * 7) % 5) / 4,
      zone: `us-east-1${'abc'[i % 3]!}`,
    });
  }
  const projectCount = Math.max(2, Math.round(n / 3));
  const projects: WorkloadSpec[] = [];
  for (let p = 0; p < projectCount; p++) {
    const base = PROJECTS[p % PROJECTS.length]!;
    projects.push(...project(`project-${base}${p >= PROJECTS.length ? `-${Math.floor(p / PROJECTS.length)}` : ''}`));
  }
  const all = [...system(), ...prod(scale), ...test(scale), ...projects];
  const workloads = all.map((w) => ({ ...w, templateHash: w.kind === 'Deployment' ? suffix(opts.seed, `${w.namespace}/${w.name}`, 9) : '' }));
  return { cluster: opts.cluster ?? 'demo', nodes, workloads };
}

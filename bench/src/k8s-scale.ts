/**
 * Kubernetes metadata at scale: 1,000 nodes and 30,000 pods (objects only) in a real API server.
 * Measures, each in its own process: the cluster component, one node agent (own node's pods), and
 * the peer design it replaces — a node agent that watches every pod cluster-wide — in the same run.
 * Also the API server's watch count and list calls per minute while pods churn.
 *
 *   node bench/dist/k8s-scale.js     (BENCH_NODES=1000 BENCH_PODS=30000 BENCH_SECONDS=60)
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { KubeClient, loadKubeConfig } from '@fathom/k8s';
import { kubernetesPeer, startKubeCluster } from '@fathom/testkit';
import { cpuSeconds, peakRssBytes } from './proc-usage.js';

const NODES = Number(process.env['BENCH_NODES'] ?? 1000);
const PODS = Number(process.env['BENCH_PODS'] ?? 30_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 60);
const CHURN_PER_SECOND = 10;
const ROLE = fileURLToPath(new URL('./k8s-role.js', import.meta.url));

async function parallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function populate(k: KubeClient): Promise<void> {
  const nss = Array.from({ length: 30 }, (_, i) => `ns-${i}`);
  await parallel(nss, 8, (ns) => k.request('POST', '/api/v1/namespaces', {}, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  await parallel(nss, 8, (ns) => k.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {}, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }));
  await parallel(Array.from({ length: NODES }, (_, i) => i), 16, (i) => k.request('POST', '/api/v1/nodes', {}, { apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` } }));
  const apps = Array.from({ length: PODS / 10 }, (_, i) => ({ ns: nss[i % nss.length]!, app: `app-${i}` }));
  await parallel(apps, 16, async ({ ns, app }) => {
    await k.request('POST', `/api/v1/namespaces/${ns}/services`, {}, { apiVersion: 'v1', kind: 'Service', metadata: { name: app }, spec: { clusterIP: 'None', selector: { app }, ports: [{ port: 80 }] } });
    await k.request('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, {}, {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${app}-5f6d7`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: '00000000-0000-0000-0000-000000000001', controller: true }] },
      spec: { replicas: 0, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'x' }] } } },
    });
  });
  await parallel(Array.from({ length: PODS }, (_, i) => i), 24, (i) => {
    const { ns, app } = apps[i % apps.length]!;
    return k.request('POST', `/api/v1/namespaces/${ns}/pods`, {}, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `${app}-5f6d7-${i}`, labels: { app, 'pod-template-hash': '5f6d7', team: `t${i % 7}` }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-5f6d7`, uid: '00000000-0000-0000-0000-000000000002', controller: true }] },
      spec: { nodeName: `node-${i % NODES}`, automountServiceAccountToken: false, containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
    });
  });
}

interface Role {
  readonly proc: ChildProcess;
  readonly readyMs: number;
  readonly detail: string;
}

async function startRole(args: string[]): Promise<Role> {
  const proc = spawn(process.execPath, ['--max-old-space-size=2048', ROLE, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0] ?? '');
    });
    proc.once('exit', (code) => reject(new Error(`${args[0] ?? ''} exited ${code ?? ''}`)));
  });
  const [, ms, detail] = line.split(' ');
  return { proc, readyMs: Number(ms), detail: detail ?? '' };
}

async function apiCounters(k: KubeClient): Promise<{ watches: number; clusterWideWatches: number; lists: number }> {
  const raw = await rawMetrics(k);
  let watches = 0;
  let clusterWide = 0;
  let lists = 0;
  for (const line of raw.split('\n')) {
    if (line.startsWith('apiserver_longrunning_requests{') && line.includes('verb="WATCH"')) {
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      watches += v;
      if (!line.includes('resource="pods"')) clusterWide += v;
    }
    if (line.startsWith('apiserver_request_total{') && line.includes('verb="LIST"')) lists += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return { watches, clusterWideWatches: clusterWide, lists };
}

async function rawMetrics(k: KubeClient): Promise<string> {
  const { request } = await import('node:https');
  const opts: Record<string, unknown> = { headers: {} };
  await k.config.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(`${k.config.getCurrentCluster()?.server ?? ''}/metrics`, opts, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

function usage(r: Role, cpuBefore: number): { readyMs: number; cpuSecondsPerMinute: number; peakRssMiB: number } {
  const pid = r.proc.pid ?? 0;
  return { readyMs: r.readyMs, cpuSecondsPerMinute: Math.round(((cpuSeconds(pid) - cpuBefore) / SECONDS) * 60 * 100) / 100, peakRssMiB: Math.round(peakRssBytes(pid) / 2 ** 20) };
}

async function main(): Promise<void> {
  const peer = kubernetesPeer();
  if (!peer.ok) throw new Error(`missing peer: ${peer.missing ?? ''}`);
  const cluster = await startKubeCluster();
  const roles: Role[] = [];
  try {
    const k = new KubeClient(loadKubeConfig({ apiUrl: cluster.url, token: cluster.adminToken, insecureSkipTlsVerify: true }));
    const t0 = performance.now();
    await populate(k);
    process.stdout.write(`populated ${NODES} nodes, ${PODS} pods in ${Math.round((performance.now() - t0) / 1000)} s\n`);
    const tokenFile = join(cluster.dir, 'bench.token');
    writeFileSync(tokenFile, cluster.adminToken);
    const clusterRole = await startRole(['cluster', cluster.url, tokenFile]);
    roles.push(clusterRole);
    const nodeRole = await startRole(['node', cluster.url, tokenFile, 'node-17', `http://127.0.0.1:${clusterRole.detail}`]);
    roles.push(nodeRole);
    const naiveRole = await startRole(['naive', cluster.url, tokenFile, 'node-18']);
    roles.push(naiveRole);
    const cpu0 = roles.map((r) => cpuSeconds(r.proc.pid ?? 0));
    const api0 = await apiCounters(k);
    // Churn: label updates on random pods, as rollouts and status changes would cause.
    const endMs = Date.now() + SECONDS * 1000;
    let updates = 0;
    while (Date.now() < endMs) {
      const i = Math.floor(Math.random() * PODS);
      const app = `app-${i % (PODS / 10)}`;
      const ns = `ns-${(i % (PODS / 10)) % 30}`;
      await k.request('PATCH', `/api/v1/namespaces/${ns}/pods/${app}-5f6d7-${i}`, {}, { metadata: { labels: { rev: String(updates) } } }, undefined, 'application/merge-patch+json').catch(() => undefined);
      updates++;
      await delay(1000 / CHURN_PER_SECOND);
    }
    const api1 = await apiCounters(k);
    const result = {
      nodes: NODES, pods: PODS, seconds: SECONDS, podUpdates: updates,
      clusterComponent: usage(clusterRole, cpu0[0]!),
      nodeAgent: { ...usage(nodeRole, cpu0[1]!), podsKnown: Number(nodeRole.detail) },
      naiveNodeAgentPeer: { ...usage(naiveRole, cpu0[2]!), podsKnown: Number(naiveRole.detail) },
      apiServer: { watches: api1.watches, clusterWideWatches: api1.clusterWideWatches, listCallsPerMinute: Math.round(((api1.lists - api0.lists) / SECONDS) * 60 * 10) / 10 },
    };
    const ratios = {
      nodeAgentRssVsNaive: Math.round((result.nodeAgent.peakRssMiB / result.naiveNodeAgentPeer.peakRssMiB) * 100) / 100,
      nodeAgentCpuVsNaive: Math.round((result.nodeAgent.cpuSecondsPerMinute / Math.max(0.01, result.naiveNodeAgentPeer.cpuSecondsPerMinute)) * 100) / 100,
      podWatchEventsPerChangeAt1000Nodes: { fathom: 2, naive: NODES },
    };
    process.stdout.write(`${JSON.stringify({ ...result, ratios }, null, 2)}\n`);
    const dir = fileURLToPath(new URL('../results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `k8s-scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ ...result, ratios }, null, 2));
  } finally {
    for (const r of roles) r.proc.kill('SIGTERM');
    await cluster.stop();
  }
}

await main();

/** Test support: clients against the harness' API server and small object writers. */
import type { KubeCluster } from '@fathom/testkit';
import { NOOP_LOGGER } from '@fathom/kit';
import { ClusterState, KubeClient, loadKubeConfig } from '../src/index.js';
import type { KubeObject } from '../src/index.js';

export function adminClient(c: KubeCluster): KubeClient {
  return new KubeClient(loadKubeConfig({ apiUrl: c.url, token: c.adminToken, insecureSkipTlsVerify: true }));
}

export function tokenClient(c: KubeCluster, token: string): KubeClient {
  return new KubeClient(loadKubeConfig({ apiUrl: c.url, token, insecureSkipTlsVerify: true }));
}

/** A namespace with its `default` ServiceAccount (no controller-manager creates it here). */
export async function createNamespace(k: KubeClient, name: string): Promise<void> {
  await k.request('POST', '/api/v1/namespaces', {}, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await k.request('POST', `/api/v1/namespaces/${name}/serviceaccounts`, {}, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }).catch(() => undefined);
}

export function podManifest(name: string, opts: { nodeName?: string; labels?: Record<string, string> } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: opts.labels ?? { app: name } },
    spec: { ...(opts.nodeName ? { nodeName: opts.nodeName } : {}), automountServiceAccountToken: false, containers: [{ name: 'app', image: 'fathom-busybox:latest' }] },
  };
}

export async function createPod(k: KubeClient, ns: string, name: string, opts: { nodeName?: string; labels?: Record<string, string> } = {}): Promise<void> {
  await k.request('POST', `/api/v1/namespaces/${ns}/pods`, {}, podManifest(name, opts));
}

/** The API server's own metrics: `name{labels} value` lines for one metric. */
export async function apiMetric(k: KubeClient, name: string): Promise<{ labels: Record<string, string>; value: number }[]> {
  const text = await rawGet(k, '/metrics');
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k2, v] of (m[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k2!] = v!;
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}

async function rawGet(k: KubeClient, path: string): Promise<string> {
  const { request } = await import('node:https');
  const cluster = k.config.getCurrentCluster();
  const opts: Record<string, unknown> = { headers: {} };
  await k.config.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(`${cluster?.server ?? ''}${path}`, opts, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A ClusterState fed by hand (no API server): the list/watch handlers are what watches call. */
export function stateWith(objects: Record<string, KubeObject[]>): ClusterState {
  const s = new ClusterState({ client: new KubeClient(loadKubeConfig({ apiUrl: 'http://127.0.0.1:1' })), cluster: 'c1', logger: NOOP_LOGGER });
  for (const [kind, list] of Object.entries(objects)) {
    const lw = s.watches[kind as keyof typeof s.watches] as unknown as { _o: { handler: { upsert(o: KubeObject, old: undefined): void } }; _cache: Map<string, KubeObject> };
    for (const o of list) {
      lw._cache.set(`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`.replace(/^\//, ''), o);
      lw._o.handler.upsert(o, undefined);
    }
  }
  return s;
}

/**
 * Access to the API server through @kubernetes/client-node's KubeConfig (in-cluster service
 * account, a kubeconfig file, or an explicit URL + token) and its Watch. Lists go through the same
 * config (agent, CA, bearer token); `stats` counts what this process asked of the API server.
 */
import { request as httpRequest } from 'node:http';
import type { RequestOptions } from 'node:https';
import { request as httpsRequest } from 'node:https';
import { KubeConfig, Watch } from '@kubernetes/client-node';

export interface KubeConnection {
  /** e.g. https://127.0.0.1:6443; with `token` and `caFile` (or `insecureSkipTlsVerify`). */
  readonly apiUrl?: string;
  readonly token?: string;
  readonly caFile?: string;
  readonly insecureSkipTlsVerify?: boolean;
  /** A kubeconfig file (its current context). */
  readonly kubeconfigPath?: string;
}

/** Explicit URL, else a kubeconfig file, else in-cluster (service account), else ~/.kube/config. */
export function loadKubeConfig(c: KubeConnection): KubeConfig {
  const kc = new KubeConfig();
  if (c.apiUrl !== undefined) {
    kc.loadFromOptions({
      clusters: [{ name: 'fathom', server: c.apiUrl, ...(c.caFile ? { caFile: c.caFile } : {}), skipTLSVerify: c.insecureSkipTlsVerify ?? false }],
      users: [{ name: 'fathom', ...(c.token ? { token: c.token } : {}) }],
      contexts: [{ name: 'fathom', cluster: 'fathom', user: 'fathom' }],
      currentContext: 'fathom',
    });
  } else if (c.kubeconfigPath !== undefined) kc.loadFromFile(c.kubeconfigPath);
  else if (process.env['KUBERNETES_SERVICE_HOST']) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/** An API error with the server's HTTP status and Status message. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface KubeClientStats {
  lists: number;
  watches: number;
}

export type WatchQuery = Record<string, string | number | boolean | undefined>;

export class KubeClient {
  readonly stats: KubeClientStats = { lists: 0, watches: 0 };
  private readonly _watch: Watch;

  constructor(readonly config: KubeConfig) {
    this._watch = new Watch(config);
  }

  /** GET a JSON document, e.g. a list page. Non-2xx → {@link KubeApiError}. */
  async getJson<T>(path: string, query: WatchQuery = {}, signal?: AbortSignal): Promise<T> {
    this.stats.lists++;
    return (await this.request('GET', path, query, undefined, signal)) as T;
  }

  /** Any JSON request (tests and the harness write objects with it). */
  async request(method: string, path: string, query: WatchQuery = {}, body?: unknown, signal?: AbortSignal, contentType = 'application/json'): Promise<unknown> {
    const cluster = this.config.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    const opts: RequestOptions = { method, headers };
    await this.config.applyToHTTPSOptions(opts);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) Object.assign(opts.headers as Record<string, string>, { 'content-type': contentType, 'content-length': String(payload.length) });
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = send(url, { ...opts, ...(signal ? { signal } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
    if (status < 200 || status > 299) throw new KubeApiError(status, `${method} ${url.pathname}: HTTP ${status}: ${statusMessage(text)}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }

  /**
   * Opens a watch; `onEvent` gets each event, `done` is called once when it ends (null on a clean
   * close by the server). Returns a function that stops it.
   */
  async watch(path: string, query: WatchQuery, onEvent: (type: string, obj: unknown) => void, done: (err: unknown) => void): Promise<() => void> {
    this.stats.watches++;
    const controller = await this._watch.watch(path, query, (type: string, obj: unknown) => onEvent(type, obj), done);
    return () => controller.abort();
  }
}

function statusMessage(text: string): string {
  try {
    const s = JSON.parse(text) as { message?: string };
    return s.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

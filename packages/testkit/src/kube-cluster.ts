/**
 * A real Kubernetes control plane for tests: etcd + kube-apiserver (+ kube-controller-manager on
 * request) on loopback with ephemeral ports, RBAC authorization, an admin token, and service-account
 * tokens signed by the API server. Binaries are built by `.ci/peers/k8s.sh` into
 * ~/.cache/fathom-ci/kubernetes-<version>/. No scheduler and no kubelet: tests play those.
 */
import { spawn } from 'node:child_process';
import { after, before } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { PeerCheck } from './peers.js';
import { findExecutable, skipUnless } from './peers.js';
import { freePort, tempDir, waitFor } from './wait.js';

export const KUBERNETES_VERSION = 'v1.37.2';

export function kubeBinDir(): string {
  return join(process.env['FATHOM_CI_CACHE'] ?? join(homedir(), '.cache', 'fathom-ci'), `kubernetes-${KUBERNETES_VERSION}`);
}

/** Debian's etcd-server (the API server accepts its 3.4), else one built into the cache dir. */
export function etcdPath(): string | undefined {
  return findExecutable('etcd') ?? (isExecutable(join(kubeBinDir(), 'etcd')) ? join(kubeBinDir(), 'etcd') : undefined);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function kubernetesPeer(): PeerCheck {
  if (etcdPath() === undefined) return { ok: false, missing: 'etcd (Debian package etcd-server; run .ci/peers/k8s.sh)' };
  for (const b of ['kube-apiserver', 'kube-controller-manager', 'kubectl']) {
    try {
      accessSync(join(kubeBinDir(), b), constants.X_OK);
    } catch {
      return { ok: false, missing: `${b} ${KUBERNETES_VERSION} in ${kubeBinDir()} (run .ci/peers/k8s.sh)` };
    }
  }
  return { ok: true };
}

export interface KubeClusterOptions {
  /** Also run kube-controller-manager (Deployments → ReplicaSets → Pods, service-account tokens, GC). */
  readonly controllers?: boolean;
}

export interface KubeCluster {
  readonly url: string;
  readonly caFile: string;
  readonly adminToken: string;
  /** A kubeconfig file for the admin user (for kubectl). */
  readonly kubeconfig: string;
  readonly dir: string;
  /** Stops and starts the API server (same port, same etcd). */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

export async function startKubeCluster(opts: KubeClusterOptions = {}): Promise<KubeCluster> {
  const bin = kubeBinDir();
  const tmp = await tempDir('fathom-kube-');
  const dir = tmp.path;
  const procs: ChildProcess[] = [];
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcd = run(etcdPath() ?? 'etcd', [
    '--name=fathom', `--data-dir=${join(dir, 'etcd')}`, `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdPort}`, `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`, `--initial-cluster=fathom=http://127.0.0.1:${peerPort}`,
    '--unsafe-no-fsync', '--log-level=warn',
  ], join(dir, 'etcd.log'));
  procs.push(etcd);
  const adminToken = randomBytes(16).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${adminToken},fathom-admin,fathom-admin,system:masters\n`);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const url = `https://127.0.0.1:${apiPort}`;
  const apiArgs = [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', '--endpoint-reconciler-type=none',
    `--secure-port=${apiPort}`, `--cert-dir=${join(dir, 'certs')}`, '--authorization-mode=RBAC',
    `--token-auth-file=${join(dir, 'tokens.csv')}`, '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${join(dir, 'sa.pub')}`, `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/24', '--anonymous-auth=false', '--enable-priority-and-fairness=false',
    '--profiling=false', '--v=0',
  ];
  let api = run(join(bin, 'kube-apiserver'), apiArgs, join(dir, 'apiserver.log'));
  procs.push(api);
  const caFile = join(dir, 'certs', 'apiserver.crt');
  const kubeconfig = join(dir, 'admin.kubeconfig');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: fathom',
    'clusters:', `- name: fathom`, `  cluster: { server: "${url}", insecure-skip-tls-verify: true }`,
    'users:', `- name: admin`, `  user: { token: "${adminToken}" }`,
    'contexts:', `- name: fathom`, `  context: { cluster: fathom, user: admin }`, '',
  ].join('\n'));
  const ready = async (): Promise<void> => {
    await waitFor('kube-apiserver /readyz', async () => ((await getText(url, '/readyz', adminToken)) === 'ok' ? true : undefined), 120_000, 500);
  };
  const stop = async (): Promise<void> => {
    for (const p of procs.reverse()) await kill(p);
    await tmp.cleanup();
  };
  try {
    await ready();
    if (opts.controllers) {
      const kcm = run(join(bin, 'kube-controller-manager'), [
        `--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0', '--use-service-account-credentials=false',
        `--service-account-private-key-file=${join(dir, 'sa.key')}`, `--root-ca-file=${caFile}`,
        '--controllers=deployment,replicaset,serviceaccount,serviceaccount-token,garbagecollector,namespace,statefulset,daemonset,job,cronjob,endpointslice',
        '--concurrent-deployment-syncs=2', '--concurrent-replicaset-syncs=2', '--v=0',
      ], join(dir, 'controller-manager.log'));
      procs.push(kcm);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url, caFile, adminToken, kubeconfig, dir, stop,
    restartApiServer: async () => {
      await kill(api);
      api = run(join(bin, 'kube-apiserver'), apiArgs, join(dir, 'apiserver.log'));
      procs.splice(1, 1, api);
      await ready();
    },
  };
}

function run(path: string, args: string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  return spawn(path, args, { stdio: ['ignore', fd, fd] });
}

async function kill(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function getText(url: string, path: string, token: string): Promise<string | undefined> {
  const { request } = await import('node:https');
  return new Promise((resolve) => {
    const req = request(`${url}${path}`, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * One test file's cluster: registers `before`/`after` hooks that start it (unless the peer is
 * missing) and stop it. `skip` goes to each test's options; `cluster()` is valid inside a test.
 */
export function useKubeCluster(opts: KubeClusterOptions = {}): { readonly skip: string | false; readonly cluster: () => KubeCluster } {
  const skip = skipUnless(kubernetesPeer());
  let running: KubeCluster | undefined;
  before(async () => {
    if (!skip) running = await startKubeCluster(opts);
  });
  after(async () => {
    await running?.stop();
  });
  return {
    skip,
    cluster: () => {
      if (!running) throw new Error('the test cluster is not running (used outside a test, or the peer is missing)');
      return running;
    },
  };
}

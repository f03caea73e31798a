/**
 * The test plays scheduler and kubelet for one node: it binds pending pods to the node, starts a
 * real Docker container per pod (busybox, --network none) and writes the pod's status through the
 * status subresource (phase, Ready, containerStatuses with the container's id), as a kubelet does.
 */
import Docker from 'dockerode';
import { sleep } from '@fathom/kit';
import type { KubeClient, Pod } from '@fathom/k8s';

export const IMAGE = 'fathom-busybox:latest';

export class FakeKubelet {
  /** pod uid → Docker container id */
  readonly containers = new Map<string, string>();
  private readonly _docker = new Docker({ socketPath: '/var/run/docker.sock' });
  private _stopped = false;
  private _loop: Promise<void> | undefined;

  constructor(
    private readonly _k: KubeClient,
    readonly namespace: string,
    readonly nodeName: string,
  ) {}

  async registerNode(): Promise<void> {
    await this._k.request('POST', '/api/v1/nodes', {}, { apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName } }).catch(() => undefined);
  }

  start(): void {
    this._loop = (async () => {
      while (!this._stopped) {
        await this.syncOnce().catch(() => undefined);
        await sleep(300);
      }
    })();
  }

  async stop(): Promise<void> {
    this._stopped = true;
    await this._loop;
    await Promise.all([...this.containers.values()].map((id) => this._docker.getContainer(id).remove({ force: true }).catch(() => undefined)));
  }

  async syncOnce(): Promise<void> {
    const list = await this._k.getJson<{ items: Pod[] }>(`/api/v1/namespaces/${this.namespace}/pods`);
    const live = new Set<string>();
    for (const pod of list.items) {
      const name = pod.metadata?.name ?? '';
      const uid = pod.metadata?.uid ?? '';
      live.add(uid);
      if (pod.metadata?.deletionTimestamp) {
        await this._k.request('DELETE', `/api/v1/namespaces/${this.namespace}/pods/${name}`, { gracePeriodSeconds: 0 }).catch(() => undefined);
        continue;
      }
      if (!pod.spec?.nodeName) {
        await this._k.request('POST', `/api/v1/namespaces/${this.namespace}/pods/${name}/binding`, {}, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName } });
        continue;
      }
      if (pod.spec.nodeName !== this.nodeName || this.containers.has(uid)) continue;
      const c = await this._docker.createContainer({ Image: IMAGE, Cmd: ['sleep', '3600'], name: `fathom-k8s-${name}-${uid.slice(0, 8)}`, HostConfig: { NetworkMode: 'none' } });
      await c.start();
      this.containers.set(uid, c.id);
      await this.writeStatus(name, { containerID: `docker://${c.id}`, restartCount: 0 });
    }
    for (const [uid, id] of this.containers) {
      if (live.has(uid)) continue;
      this.containers.delete(uid);
      await this._docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    }
  }

  /** Writes a Running, Ready status with one container `app`. */
  async writeStatus(pod: string, c: { containerID: string; restartCount: number; lastState?: Record<string, unknown> }): Promise<void> {
    const now = new Date().toISOString();
    await this._k.request('PATCH', `/api/v1/namespaces/${this.namespace}/pods/${pod}/status`, {}, {
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }, { type: 'PodScheduled', status: 'True', lastTransitionTime: now }],
        containerStatuses: [{ name: 'app', containerID: c.containerID, ready: true, restartCount: c.restartCount, image: IMAGE, imageID: '', started: true, state: { running: { startedAt: now } }, lastState: c.lastState ?? {} }],
      },
    }, undefined, 'application/merge-patch+json');
  }
}
